// Reads what the rehearsal needs from a rendered Deployment: the rollout strategy, the first
// container's probes, preStop, grace period and env. Anything it could not reproduce is an error.
import { readFileSync } from 'node:fs'
import { constants, hostname } from 'node:os'
import { parseAllDocuments } from 'yaml'
import { parseIntOrPercent, type IntOrPercent } from '@zerodown/deploy/rollout'
import { RehearseManifestError } from './errors.js'
import { containerEnv, envObjects, type UnresolvedEnv } from './pod-env.js'
import { podTemplate, type PodTemplate } from './manifest-pod.js'
import { isObj, type Obj } from './fields.js'

export interface ProbeSpec {
  path: string
  /** True when the probe targets the separate probe port rather than the container port. */
  onProbePort: boolean
  initialDelaySeconds: number
  periodSeconds: number
  timeoutSeconds: number
  successThreshold: number
  failureThreshold: number
}

/** The Deployment annotation that carries the propagation allowance P, in seconds (the deploy chart renders it). */
export const PROPAGATION_ANNOTATION = 'zerodown.dev/propagation-seconds'

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
   * A separate port the probes use, and the env variables that tell the app about it (those whose
   * value is that port, like ZERODOWN_PROBE_PORT): every pod gets its own free port there too.
   */
  probePort?: { containerPort: number, env: string[] }
  startupProbe?: ProbeSpec
  readinessProbe?: ProbeSpec
  livenessProbe?: ProbeSpec
  /** The preStop hook the kubelet runs: its own sleep, or a command run in the pod's directory and environment. */
  preStop?: PreStopHook
  /** What the time budget counts for preStop: `sleep.seconds`, or N of an exec of `sleep N`; 0 otherwise. */
  preStopSleepSeconds: number
  /** `lifecycle.stopSignal`, the signal that asks the container to stop. Default SIGTERM. */
  stopSignal: NodeJS.Signals
  /** The PodDisruptionBudget of the manifest that selects the pods, for evictions (node drain). */
  podDisruptionBudget?: DisruptionBudget
  terminationGracePeriodSeconds: number
  /** The container's env and envFrom as far as known before a pod exists (see pod-env.ts). */
  env: Record<string, string>
  /** Variables set to the pod's name (`fieldRef: metadata.name`). */
  podNameEnv: string[]
  /** Variables of env/envFrom that cannot be resolved from the manifest, e.g. from a Secret it does not hold. */
  unresolvedEnv: UnresolvedEnv[]
  /** Things read but not reproduced, e.g. a second container. */
  warnings: string[]
  /** What only the container mode uses: command, args, security context, emptyDir mounts. */
  pod: PodTemplate
}

export type PreStopHook = { sleepSeconds: number } | { exec: string[] }

/** A PodDisruptionBudget: exactly one of minAvailable and maxUnavailable. */
export type DisruptionBudget = { name: string } & ({ minAvailable: IntOrPercent } | { maxUnavailable: IntOrPercent })

export function readManifestFile (file: string): DeploymentSpec {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw new RehearseManifestError(file, `cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`)
  }
  return parseManifest(text, file)
}

/** Parses multi-document YAML and returns the Deployment (there must be exactly one). */
export function parseManifest (text: string, file = '<manifest>'): DeploymentSpec {
  const fail = (reason: string): never => { throw new RehearseManifestError(file, reason) }
  const docs = parseAllDocuments(text)
  const values: unknown[] = []
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    if (doc.errors.length > 0) fail(`it is not valid YAML: ${doc.errors[0]!.message}`)
    values.push(doc.toJS())
  }
  // A `kind: List` (kubectl get -o yaml) holds its objects in items.
  const objects = values.flatMap((v) => isObj(v) && v.kind === 'List' && Array.isArray(v.items) ? v.items : [v])
  const deployments = objects.filter((o): o is Obj => isObj(o) && o.kind === 'Deployment')
  if (deployments.length === 0) {
    const kinds = objects.filter(isObj).map((o) => String(o.kind)).join(', ')
    fail(`it holds no Deployment (found: ${kinds === '' ? 'nothing' : kinds})`)
  }
  if (deployments.length > 1) fail(`it holds ${deployments.length} Deployments; pass a manifest with one`)
  return readDeployment(deployments[0]!, objects, fail)
}

function readDeployment (d: Obj, objects: unknown[], fail: (reason: string) => never): DeploymentSpec {
  const spec = isObj(d.spec) ? d.spec : fail('the Deployment has no spec')
  const metadata = isObj(d.metadata) ? d.metadata : {}
  const name = typeof metadata.name === 'string' ? metadata.name : 'app'
  const namespace = typeof metadata.namespace === 'string' && metadata.namespace !== '' ? metadata.namespace : 'default'
  const annotation = isObj(metadata.annotations) ? metadata.annotations[PROPAGATION_ANNOTATION] : undefined
  const propagationSeconds = annotation === undefined ? undefined : Number(annotation)
  if (propagationSeconds !== undefined && (String(annotation).trim() === '' || !Number.isFinite(propagationSeconds) || propagationSeconds < 0)) {
    fail(`the annotation ${PROPAGATION_ANNOTATION} must be a number of seconds >= 0 like "5", got ${JSON.stringify(annotation)}`)
  }
  const int = (value: unknown, field: string, fallback: number, min = 0): number => {
    if (value === undefined || value === null) return fallback
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
      fail(`${field} must be an integer >= ${min}, got ${JSON.stringify(value)}`)
    }
    return value as number
  }

  const strategy = isObj(spec.strategy) ? spec.strategy : {}
  if (strategy.type !== undefined && strategy.type !== 'RollingUpdate') {
    fail(`spec.strategy.type ${JSON.stringify(strategy.type)} is not rehearsed; only RollingUpdate is`)
  }
  const rolling = isObj(strategy.rollingUpdate) ? strategy.rollingUpdate : {}
  const intOrPercent = (value: unknown, field: string): IntOrPercent => {
    if (value === undefined || value === null) return '25%'
    return parseIntOrPercent(value) ?? fail(`${field} must be an integer >= 0 or a percentage like "25%", got ${JSON.stringify(value)}`)
  }

  const template = isObj(spec.template) && isObj(spec.template.spec) ? spec.template.spec : fail('the Deployment has no spec.template.spec')
  const containers = Array.isArray(template.containers) ? template.containers.filter(isObj) : []
  const container = containers[0] ?? fail('spec.template.spec.containers is empty')
  const warnings: string[] = []
  if (containers.length > 1) warnings.push(`only the first container (${String(container.name)}) is rehearsed`)

  const ports = Array.isArray(container.ports) ? container.ports.filter(isObj) : []
  const podMeta = isObj(spec.template) && isObj(spec.template.metadata) ? spec.template.metadata : {}
  const strings = (v: unknown): Record<string, string> => isObj(v) ? Object.fromEntries(Object.entries(v).map(([k, s]) => [k, String(s)])) : {}
  const { env, podNameEnv, unresolved } = containerEnv(container, {
    namespace,
    serviceAccountName: typeof template.serviceAccountName === 'string' ? template.serviceAccountName : 'default',
    nodeName: typeof template.nodeName === 'string' ? template.nodeName : hostname(),
    labels: strings(podMeta.labels),
    annotations: strings(podMeta.annotations),
    ...envObjects(objects, namespace)
  })
  const fromEnvPort = env.PORT !== undefined ? Number(env.PORT) : undefined
  const main = ports.find((cp) => cp.name === 'http') ?? ports[0]
  const containerPort = int(main?.containerPort ?? fromEnvPort ?? 8080, 'the container port', 8080, 1)
  let probePort: DeploymentSpec['probePort']

  // Fractional seconds are allowed here so tests can rehearse in milliseconds; Kubernetes takes integers.
  const seconds = (value: unknown, field: string, fallback: number, positive = false): number => {
    if (value === undefined || value === null) return fallback
    if (typeof value !== 'number' || !(positive ? value > 0 : value >= 0)) fail(`${field} must be a number ${positive ? '> 0' : '>= 0'}, got ${JSON.stringify(value)}`)
    return value as number
  }
  const probe = (field: 'startupProbe' | 'readinessProbe' | 'livenessProbe'): ProbeSpec | undefined => {
    const p = container[field]
    if (p === undefined || p === null) return undefined
    if (!isObj(p) || !isObj(p.httpGet)) fail(`${field} must use httpGet (exec, tcpSocket and grpc probes are not rehearsed)`)
    const http = (p as Obj).httpGet as Obj
    const port = http.port
    const named = ports.find((cp) => cp.name === port)
    const number = typeof port === 'string' && named !== undefined ? named.containerPort : port
    if (typeof number !== 'number' || !Number.isInteger(number)) fail(`${field}.httpGet.port ${JSON.stringify(port)} is neither a port number nor a named container port`)
    if (number !== containerPort) {
      if (probePort !== undefined && probePort.containerPort !== number) fail(`${field}.httpGet.port ${number}: probes on two ports besides the container port are not rehearsed`)
      const carriers = Object.keys(env).filter((name) => env[name] === String(number))
      if (carriers.length === 0) {
        fail(`${field}.httpGet.port ${JSON.stringify(port)} is not the container port ${containerPort} and no env variable (like ZERODOWN_PROBE_PORT) carries ${String(number)}, so each pod could not be given its own probe port`)
      }
      probePort = { containerPort: number as number, env: carriers }
    }
    const path = typeof http.path === 'string' && http.path.startsWith('/') ? http.path : fail(`${field}.httpGet.path must start with "/"`)
    const o = p as Obj
    const spec: ProbeSpec = {
      path,
      onProbePort: number !== containerPort,
      initialDelaySeconds: seconds(o.initialDelaySeconds, `${field}.initialDelaySeconds`, 0),
      periodSeconds: seconds(o.periodSeconds, `${field}.periodSeconds`, 10, true),
      timeoutSeconds: seconds(o.timeoutSeconds, `${field}.timeoutSeconds`, 1, true),
      successThreshold: int(o.successThreshold, `${field}.successThreshold`, 1, 1),
      failureThreshold: int(o.failureThreshold, `${field}.failureThreshold`, 3, 1)
    }
    if (field !== 'readinessProbe' && spec.successThreshold !== 1) fail(`${field}.successThreshold must be 1, got ${spec.successThreshold}`)
    return spec
  }

  const lifecycle = isObj(container.lifecycle) ? container.lifecycle : {}
  let preStop: PreStopHook | undefined
  let preStopSleepSeconds = 0
  if (isObj(lifecycle.preStop)) {
    const pre = lifecycle.preStop
    if (isObj(pre.sleep)) {
      preStopSleepSeconds = seconds(pre.sleep.seconds, 'lifecycle.preStop.sleep.seconds', 0)
      preStop = { sleepSeconds: preStopSleepSeconds }
    } else if (isObj(pre.exec) && Array.isArray(pre.exec.command) && pre.exec.command.length > 0) {
      const command = pre.exec.command.map(String)
      preStop = { exec: command }
      const execSleep = /^(?:\S*\/)?sleep\s+(\d+(?:\.\d+)?)$/.exec(command.slice(command[0]?.endsWith('sh') === true ? 2 : 0).join(' ').trim())
      if (execSleep !== null) preStopSleepSeconds = Number(execSleep[1])
    } else {
      fail('lifecycle.preStop must be sleep.seconds or exec.command (a non-empty array); httpGet hooks are not rehearsed')
    }
  }
  const stopSignal = lifecycle.stopSignal ?? 'SIGTERM'
  if (typeof stopSignal !== 'string' || !(stopSignal in constants.signals) || stopSignal === 'SIGKILL' || stopSignal === 'SIGSTOP') {
    fail(`lifecycle.stopSignal must be a signal name like "SIGTERM" or "SIGINT", got ${JSON.stringify(lifecycle.stopSignal)}`)
  }

  // Read before the result is built: reading them finds the probe port.
  const probes = {
    ...withProbe('startupProbe', probe('startupProbe')),
    ...withProbe('readinessProbe', probe('readinessProbe')),
    ...withProbe('livenessProbe', probe('livenessProbe'))
  }
  return {
    name,
    namespace,
    ...(propagationSeconds !== undefined && { propagationSeconds }),
    replicas: int(spec.replicas, 'spec.replicas', 1, 1),
    maxSurge: intOrPercent(rolling.maxSurge, 'spec.strategy.rollingUpdate.maxSurge'),
    maxUnavailable: intOrPercent(rolling.maxUnavailable, 'spec.strategy.rollingUpdate.maxUnavailable'),
    minReadySeconds: seconds(spec.minReadySeconds, 'spec.minReadySeconds', 0),
    progressDeadlineSeconds: seconds(spec.progressDeadlineSeconds, 'spec.progressDeadlineSeconds', 600),
    container: typeof container.name === 'string' ? container.name : 'app',
    containerPort,
    ...probes,
    ...(probePort !== undefined && { probePort }),
    ...(preStop !== undefined && { preStop }),
    preStopSleepSeconds,
    stopSignal: stopSignal as NodeJS.Signals,
    ...podDisruptionBudget(objects, podMeta, namespace, fail),
    terminationGracePeriodSeconds: seconds(template.terminationGracePeriodSeconds, 'terminationGracePeriodSeconds', 30),
    env,
    podNameEnv,
    unresolvedEnv: unresolved,
    warnings,
    pod: podTemplate(container, template, fail)
  }
}

function withProbe<K extends string> (key: K, value: ProbeSpec | undefined): Partial<Record<K, ProbeSpec>> {
  return value === undefined ? {} : { [key]: value } as Record<K, ProbeSpec>
}

/** The first PodDisruptionBudget in the namespace whose selector's matchLabels all sit on the pod template. */
function podDisruptionBudget (objects: unknown[], podMeta: Obj, namespace: string, fail: (reason: string) => never): { podDisruptionBudget?: DisruptionBudget } {
  const labels = isObj(podMeta.labels) ? podMeta.labels : {}
  for (const o of objects) {
    if (!isObj(o) || o.kind !== 'PodDisruptionBudget' || !isObj(o.spec)) continue
    const meta = isObj(o.metadata) ? o.metadata : {}
    if ((typeof meta.namespace === 'string' ? meta.namespace : namespace) !== namespace) continue
    const selector = isObj(o.spec.selector) && isObj(o.spec.selector.matchLabels) ? o.spec.selector.matchLabels : {}
    if (!Object.entries(selector).every(([k, v]) => labels[k] === v)) continue
    const name = typeof meta.name === 'string' ? meta.name : 'pdb'
    const field = (key: 'minAvailable' | 'maxUnavailable'): Partial<Record<typeof key, IntOrPercent>> => {
      const value = (o.spec as Obj)[key]
      if (value === undefined || value === null) return {}
      return { [key]: parseIntOrPercent(value) ?? fail(`PodDisruptionBudget ${name} spec.${key} must be an integer >= 0 or a percentage like "50%", got ${JSON.stringify(value)}`) }
    }
    const budget = { name, ...field('minAvailable'), ...field('maxUnavailable') }
    if ((budget.minAvailable === undefined) === (budget.maxUnavailable === undefined)) fail(`PodDisruptionBudget ${name} must set one of minAvailable and maxUnavailable`)
    return { podDisruptionBudget: budget as DisruptionBudget }
  }
  return {}
}
