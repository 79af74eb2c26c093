// Reads what the rehearsal needs from a rendered Deployment: the rollout strategy, the first
// container's probes, preStop, grace period and env. Anything it could not reproduce is an error.
import { hostname } from 'node:os'
import { PROPAGATION_ANNOTATION, readInputFile } from '@zerodown/contract'
import { parseYamlDocuments } from '@zerodown/deploy/yaml'
import type { IntOrPercent } from '@zerodown/deploy/rollout'
import { RehearseManifestError } from '../errors.js'
import { containerEnv, envObjects, type UnresolvedEnv } from '../kubelet/pod-env.js'
import { isObj, type Obj } from '../load/fields.js'
import { podDisruptionBudget, type DisruptionBudget } from './disruption-budget.js'
import { ManifestFields } from './fields.js'
import { readLifecycle, type PreStopHook } from './lifecycle.js'
import { podTemplate, type PodTemplate } from './manifest-pod.js'
import { readProbes, type ContainerProbes, type ProbeSpec } from './probes.js'

export type { DisruptionBudget } from './disruption-budget.js'
export type { PreStopHook } from './lifecycle.js'
export type { ProbeSpec } from './probes.js'

/** The Deployment annotation that carries the propagation allowance P, in seconds (the deploy chart renders it). */
export { PROPAGATION_ANNOTATION }

export interface DeploymentSpec {
  name: string
  /** `metadata.namespace`, "default" when unset. */
  namespace: string
  /** The `zerodown.dev/propagation-seconds` annotation, when the Deployment has one. */
  propagationSeconds?: number
  replicas: number
  maxSurge: IntOrPercent
  maxUnavailable: IntOrPercent
  minReadySeconds: number
  progressDeadlineSeconds: number
  container: string
  /** The container port the Service targets; every pod gets its own free port in its place. */
  containerPort: number
  /**
   * The probes (probes.ts); probePort: a separate port they use, and the env variables that tell the
   * app about it (like ZERODOWN_PROBE_PORT): every pod gets its own free port there too.
   */
  startupProbe?: ProbeSpec
  readinessProbe?: ProbeSpec
  livenessProbe?: ProbeSpec
  probePort?: ContainerProbes['probePort']
  /** The preStop hook the kubelet runs (lifecycle.ts): its own sleep, or a command run in the pod's directory and environment. */
  preStop?: PreStopHook
  /** What the time budget counts for preStop: `sleep.seconds`, or N of an exec of `sleep N`; 0 otherwise. */
  preStopSleepSeconds: number
  /** `lifecycle.stopSignal`, the signal that asks the container to stop. Default SIGTERM. */
  stopSignal: NodeJS.Signals
  /** The PodDisruptionBudget of the manifest that selects the pods, for evictions (node drain). */
  podDisruptionBudget?: DisruptionBudget
  terminationGracePeriodSeconds: number
  /** The container's env and envFrom as far as known before a pod exists (see kubelet/pod-env.ts). */
  env: Record<string, string>
  /** Variables set to the pod's name (`fieldRef: metadata.name`). */
  podNameEnv: string[]
  /** Variables of env/envFrom that cannot be resolved from the manifest, e.g. from a Secret it does not hold. */
  unresolvedEnv: UnresolvedEnv[]
  /** Things read but not reproduced, e.g. a second container. */
  warnings: string[]
  /** Every object of the manifest as read: what --cluster applies. */
  objects: unknown[]
  /** What only the container mode uses: command, args, security context, emptyDir mounts. */
  pod: PodTemplate
}

export function readManifestFile (file: string): DeploymentSpec {
  let text: string
  try {
    text = readInputFile(file)
  } catch (err) {
    throw new RehearseManifestError(file, (err as Error).message)
  }
  return parseManifest(text, file)
}

/** Parses multi-document YAML and returns the Deployment (there must be exactly one). */
export function parseManifest (text: string, file = '<manifest>'): DeploymentSpec {
  let values: unknown[]
  try {
    values = parseYamlDocuments(text)
  } catch (err) {
    const reason = (err as Error).message
    throw new RehearseManifestError(file, reason.startsWith('not valid YAML') ? `it is ${reason}` : reason)
  }
  return deploymentFromObjects(values, file)
}

/** The Deployment of these objects (rendered, or parsed from YAML); a `kind: List` holds its objects in items. */
export function deploymentFromObjects (values: unknown[], file = '<manifest>'): DeploymentSpec {
  const fail = (reason: string): never => { throw new RehearseManifestError(file, reason) }
  const objects = values.flatMap((v) => isObj(v) && v.kind === 'List' && Array.isArray(v.items) ? v.items : [v])
  const deployments = objects.filter((o): o is Obj => isObj(o) && o.kind === 'Deployment')
  if (deployments.length === 0) {
    const kinds = objects.filter(isObj).map((o) => String(o.kind)).join(', ')
    fail(`it holds no Deployment (found: ${kinds === '' ? 'nothing' : kinds})`)
  }
  if (deployments.length > 1) fail(`it holds ${deployments.length} Deployments; pass a manifest with one`)
  return readDeployment(deployments[0]!, objects, new ManifestFields(fail))
}

function readDeployment (d: Obj, objects: unknown[], f: ManifestFields): DeploymentSpec {
  const spec = isObj(d.spec) ? d.spec : f.fail('the Deployment has no spec')
  const metadata = isObj(d.metadata) ? d.metadata : {}
  const namespace = typeof metadata.namespace === 'string' && metadata.namespace !== '' ? metadata.namespace : 'default'
  const strategy = isObj(spec.strategy) ? spec.strategy : {}
  if (strategy.type !== undefined && strategy.type !== 'RollingUpdate') f.fail(`spec.strategy.type ${JSON.stringify(strategy.type)} is not rehearsed; only RollingUpdate is`)
  const rolling = isObj(strategy.rollingUpdate) ? strategy.rollingUpdate : {}
  const template = isObj(spec.template) && isObj(spec.template.spec) ? spec.template.spec : f.fail('the Deployment has no spec.template.spec')
  const podMeta = isObj(spec.template) && isObj(spec.template.metadata) ? spec.template.metadata : {}
  const containers = Array.isArray(template.containers) ? template.containers.filter(isObj) : []
  const container = containers[0] ?? f.fail('spec.template.spec.containers is empty')
  const warnings = containers.length > 1 ? [`only the first container (${String(container.name)}) is rehearsed`] : []
  const { env, podNameEnv, unresolved } = podEnvironment(container, template, podMeta, objects, namespace)
  const ports = Array.isArray(container.ports) ? container.ports.filter(isObj) : []
  const fromEnvPort = env.PORT !== undefined ? Number(env.PORT) : undefined
  const main = ports.find((cp) => cp.name === 'http') ?? ports[0]
  const containerPort = f.int(main?.containerPort ?? fromEnvPort ?? 8080, 'the container port', 8080, 1)
  const propagationSeconds = propagation(metadata, f)
  return {
    name: typeof metadata.name === 'string' ? metadata.name : 'app',
    namespace,
    ...(propagationSeconds !== undefined && { propagationSeconds }),
    replicas: f.int(spec.replicas, 'spec.replicas', 1, 1),
    maxSurge: f.intOrPercent(rolling.maxSurge, 'spec.strategy.rollingUpdate.maxSurge'),
    maxUnavailable: f.intOrPercent(rolling.maxUnavailable, 'spec.strategy.rollingUpdate.maxUnavailable'),
    minReadySeconds: f.seconds(spec.minReadySeconds, 'spec.minReadySeconds', 0),
    progressDeadlineSeconds: f.seconds(spec.progressDeadlineSeconds, 'spec.progressDeadlineSeconds', 600),
    container: typeof container.name === 'string' ? container.name : 'app',
    containerPort,
    ...readProbes(container, ports, containerPort, env, f),
    ...readLifecycle(container, f),
    ...podDisruptionBudget(objects, podMeta, namespace, f.fail),
    terminationGracePeriodSeconds: f.seconds(template.terminationGracePeriodSeconds, 'terminationGracePeriodSeconds', 30),
    env,
    podNameEnv,
    unresolvedEnv: unresolved,
    warnings,
    objects,
    pod: podTemplate(container, template, f.fail)
  }
}

/** The annotation's P, in seconds, when the Deployment has one. */
function propagation (metadata: Obj, f: ManifestFields): number | undefined {
  const annotation = isObj(metadata.annotations) ? metadata.annotations[PROPAGATION_ANNOTATION] : undefined
  if (annotation === undefined) return undefined
  const seconds = Number(annotation)
  if (String(annotation).trim() === '' || !Number.isFinite(seconds) || seconds < 0) {
    f.fail(`the annotation ${PROPAGATION_ANNOTATION} must be a number of seconds >= 0 like "5", got ${JSON.stringify(annotation)}`)
  }
  return seconds
}

/** The container's env and envFrom, as far as the manifest tells them before a pod exists. */
function podEnvironment (container: Obj, template: Obj, podMeta: Obj, objects: unknown[], namespace: string): ReturnType<typeof containerEnv> {
  const strings = (v: unknown): Record<string, string> => isObj(v) ? Object.fromEntries(Object.entries(v).map(([k, s]) => [k, String(s)])) : {}
  return containerEnv(container, {
    namespace,
    serviceAccountName: typeof template.serviceAccountName === 'string' ? template.serviceAccountName : 'default',
    nodeName: typeof template.nodeName === 'string' ? template.nodeName : hostname(),
    labels: strings(podMeta.labels),
    annotations: strings(podMeta.annotations),
    ...envObjects(objects, namespace)
  })
}
