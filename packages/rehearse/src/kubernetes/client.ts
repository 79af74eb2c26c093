// The connection to a real cluster (--cluster), through @kubernetes/client-node: an optional peer
// dependency, loaded only in this mode, from the kubeconfig and context the user names.
import { RehearseClusterError } from '../errors.js'

type ClientNode = typeof import('@kubernetes/client-node')

export interface ClusterTarget {
  /** The kubeconfig file. Default: $KUBECONFIG, else ~/.kube/config, as kubectl reads it. */
  kubeconfig?: string
  /** Its context. Default: the current one. */
  context?: string
  /** A namespace to rehearse in; its objects are deleted after, the namespace kept. Default: one of its own, deleted after. */
  namespace?: string
  /** Where to send the load: an Ingress or a load balancer. Default: the Service's ClusterIP and port. */
  url?: string
}

export interface Kube {
  /** How the summary names the cluster: its context. */
  name: string
  k8s: ClientNode
  objects: InstanceType<ClientNode['KubernetesObjectApi']>
  core: InstanceType<ClientNode['CoreV1Api']>
  apps: InstanceType<ClientNode['AppsV1Api']>
}

export async function connect (target: ClusterTarget): Promise<Kube> {
  let k8s: ClientNode
  try {
    k8s = await import('@kubernetes/client-node')
  } catch {
    throw new RehearseClusterError(target.context ?? 'in the kubeconfig', '--cluster needs @kubernetes/client-node beside @zerodown/rehearse: npm install @kubernetes/client-node')
  }
  const kc = new k8s.KubeConfig()
  try {
    if (target.kubeconfig !== undefined) kc.loadFromFile(target.kubeconfig)
    else kc.loadFromDefault()
    if (target.context !== undefined) kc.setCurrentContext(target.context)
  } catch (err) {
    throw new RehearseClusterError(target.context ?? target.kubeconfig ?? 'in the kubeconfig', `cannot read the kubeconfig: ${(err as Error).message}`)
  }
  const name = kc.getCurrentContext()
  if (kc.getCurrentCluster() === null) throw new RehearseClusterError(name || '(none)', 'the kubeconfig names no cluster for this context')
  return { name, k8s, objects: k8s.KubernetesObjectApi.makeApiClient(kc), core: kc.makeApiClient(k8s.CoreV1Api), apps: kc.makeApiClient(k8s.AppsV1Api) }
}

/** A failed API call as one line: the status and the server's message. */
export function apiMessage (err: unknown): string {
  const e = err as { code?: number, body?: unknown, message?: string }
  let body = e.body
  if (typeof body === 'string') try { body = JSON.parse(body) } catch {}
  const message = (body as { message?: string } | undefined)?.message
  return `${e.code !== undefined ? `HTTP ${e.code}: ` : ''}${message ?? e.message ?? String(err)}`
}
