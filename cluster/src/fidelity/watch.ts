// What the real run observes besides its requests, on the same clock (epoch ms): each pod's life from
// a kubectl watch (created, ready, deleted, how its container ended), and when kube-proxy's iptables
// rules started and stopped sending new connections to each pod.
import { spawn, type ChildProcess } from 'node:child_process'
import type { Cluster } from '../cluster.js'
import { JsonStream } from './json-stream.js'

export interface PodLife {
  name: string
  /** The pod-template-hash: which ReplicaSet it belongs to. */
  hash: string
  ip?: string
  createdAt: number
  readyAt?: number
  deletedAt?: number
  goneAt?: number
  exit?: { code: number, reason: string, signal?: number }
  /** When the kubelet's "Killing" event arrived: it starts the preStop hook, then signals. */
  killingAt?: number
}

interface PodObject {
  metadata: { name: string, labels?: Record<string, string>, deletionTimestamp?: string }
  status?: {
    podIP?: string
    conditions?: Array<{ type: string, status: string }>
    containerStatuses?: Array<{ state?: { terminated?: { exitCode: number, reason?: string, signal?: number } }, lastState?: { terminated?: { exitCode: number, reason?: string } } }>
  }
}

interface EventObject {
  reason?: string
  involvedObject?: { kind?: string, name?: string }
}

/** `kubectl get KIND --watch` in the namespace, each object as it arrives. */
function watch (cluster: Cluster, namespace: string, kind: string, onObject: (type: string, object: unknown) => void): ChildProcess {
  const [file, ...args] = cluster.wrap([`${cluster.bin}/kubectl`, `--kubeconfig=${cluster.kubeconfig}`, '-n', namespace, 'get', kind, '--watch', '--output-watch-events', '-o', 'json'])
  const child = spawn(file!, args, { stdio: ['ignore', 'pipe', 'ignore'] })
  const stream = new JsonStream((event) => {
    const { type, object } = event as { type: string, object: unknown }
    onObject(type, object)
  })
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => stream.push(chunk))
  return child
}

export class PodWatch {
  readonly pods = new Map<string, PodLife>()
  private readonly children: ChildProcess[]

  constructor (cluster: Cluster, namespace: string) {
    this.children = [
      watch(cluster, namespace, 'pods', (type, object) => this.onEvent({ type, object: object as PodObject })),
      watch(cluster, namespace, 'events', (_type, object) => this.onKubeEvent(object as EventObject))
    ]
  }

  private onKubeEvent (event: EventObject): void {
    const name = event.involvedObject?.name
    if (event.reason !== 'Killing' || event.involvedObject?.kind !== 'Pod' || name === undefined) return
    const life = this.pods.get(name)
    if (life !== undefined && life.killingAt === undefined) life.killingAt = Date.now()
  }

  private onEvent ({ type, object }: { type: string, object: PodObject }): void {
    const now = Date.now()
    const name = object.metadata.name
    let life = this.pods.get(name)
    if (life === undefined) {
      life = { name, hash: object.metadata.labels?.['pod-template-hash'] ?? '', createdAt: now }
      this.pods.set(name, life)
    }
    if (object.status?.podIP !== undefined) life.ip = object.status.podIP
    const ready = object.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True'
    if (ready && life.readyAt === undefined && life.deletedAt === undefined) life.readyAt = now
    if (object.metadata.deletionTimestamp !== undefined && life.deletedAt === undefined) life.deletedAt = now
    const terminated = object.status?.containerStatuses?.[0]?.state?.terminated
    if (terminated !== undefined) life.exit = { code: terminated.exitCode, reason: terminated.reason ?? '', ...(terminated.signal !== undefined && { signal: terminated.signal }) }
    if (type === 'DELETED') life.goneAt = now
  }

  stop (): void {
    for (const child of this.children) child.kill('SIGKILL')
  }
}

/** When each pod address entered and left kube-proxy's DNAT rules for `port`, read every 50 ms. */
export class RuleWatch {
  /** Address -> times it was routed (entered) and not routed any more (left). */
  readonly routed = new Map<string, { since: number, until?: number }>()
  private readonly child: ChildProcess

  constructor (cluster: Cluster, port: number) {
    const loop = `while :; do iptables-save -t nat | grep -o 'to-destination [0-9.]*:${port}' | sort -u | tr '\\n' ' '; echo; sleep 0.05; done`
    const [file, ...args] = cluster.wrap(['sh', '-c', loop])
    this.child = spawn(file!, args, { stdio: ['ignore', 'pipe', 'ignore'] })
    let rest = ''
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n')
      rest = lines.pop()!
      for (const line of lines) this.onSample(Date.now(), new Set(line.match(/[0-9.]+(?=:\d+)/g) ?? []))
    })
  }

  private onSample (now: number, present: Set<string>): void {
    for (const ip of present) {
      const entry = this.routed.get(ip)
      if (entry === undefined || entry.until !== undefined) this.routed.set(ip, { since: now })
    }
    for (const [ip, entry] of this.routed) if (entry.until === undefined && !present.has(ip)) entry.until = now
  }

  stop (): void {
    this.child.kill('SIGKILL')
  }
}
