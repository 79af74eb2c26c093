// Reads what the rehearsal needs from a rendered Deployment: the rollout strategy, the first
// container's probes, preStop, grace period and env. Anything it could not reproduce is an error.
import { readFileSync } from 'node:fs'
import { parseAllDocuments } from 'yaml'
import { parseIntOrPercent, type IntOrPercent } from './controller.js'
import { RehearseManifestError } from './errors.js'

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

export interface DeploymentSpec {
  name: string
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
   * value is that port, like PROBE_PORT): every pod gets its own free port there too.
   */
  probePort?: { containerPort: number, env: string[] }
  startupProbe?: ProbeSpec
  readinessProbe?: ProbeSpec
  livenessProbe?: ProbeSpec
  /** preStop sleep (`sleep.seconds` or an exec of `sleep N`); 0 without preStop. */
  preStopSleepSeconds: number
  terminationGracePeriodSeconds: number
  env: Record<string, string>
  /** Things read but not reproduced, e.g. env from a Secret. */
  warnings: string[]
}

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v)

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
  return readDeployment(deployments[0]!, fail)
}

function readDeployment (d: Obj, fail: (reason: string) => never): DeploymentSpec {
  const spec = isObj(d.spec) ? d.spec : fail('the Deployment has no spec')
  const name = isObj(d.metadata) && typeof d.metadata.name === 'string' ? d.metadata.name : 'app'
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
  const env: Record<string, string> = {}
  for (const entry of Array.isArray(container.env) ? container.env.filter(isObj) : []) {
    if (typeof entry.name !== 'string') continue
    if (entry.value !== undefined) env[entry.name] = String(entry.value)
    else if (entry.valueFrom !== undefined) warnings.push(`env ${entry.name} comes from valueFrom, which is not reproduced`)
  }
  if (Array.isArray(container.envFrom) && container.envFrom.length > 0) warnings.push('envFrom (ConfigMaps, Secrets) is not reproduced; pass those variables with --env')
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
        fail(`${field}.httpGet.port ${JSON.stringify(port)} is not the container port ${containerPort} and no env variable (like PROBE_PORT) carries ${String(number)}, so each pod could not be given its own probe port`)
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
  let preStopSleepSeconds = 0
  if (isObj(lifecycle.preStop)) {
    const pre = lifecycle.preStop
    const command = isObj(pre.exec) && Array.isArray(pre.exec.command) ? pre.exec.command.map(String) : undefined
    const sleep = isObj(pre.sleep) ? seconds(pre.sleep.seconds, 'lifecycle.preStop.sleep.seconds', 0) : undefined
    const execSleep = command !== undefined ? /^(?:\S*\/)?sleep\s+(\d+(?:\.\d+)?)$/.exec(command.slice(command[0]?.endsWith('sh') === true ? 2 : 0).join(' ').trim()) : null
    if (sleep !== undefined) preStopSleepSeconds = sleep
    else if (execSleep !== null) preStopSleepSeconds = Number(execSleep[1])
    else fail('lifecycle.preStop must be sleep.seconds or an exec of "sleep N"; other hooks are not rehearsed')
  }

  // Read before the result is built: reading them finds the probe port.
  const probes = {
    ...withProbe('startupProbe', probe('startupProbe')),
    ...withProbe('readinessProbe', probe('readinessProbe')),
    ...withProbe('livenessProbe', probe('livenessProbe'))
  }
  return {
    name,
    replicas: int(spec.replicas, 'spec.replicas', 1, 1),
    maxSurge: intOrPercent(rolling.maxSurge, 'spec.strategy.rollingUpdate.maxSurge'),
    maxUnavailable: intOrPercent(rolling.maxUnavailable, 'spec.strategy.rollingUpdate.maxUnavailable'),
    minReadySeconds: seconds(spec.minReadySeconds, 'spec.minReadySeconds', 0),
    progressDeadlineSeconds: seconds(spec.progressDeadlineSeconds, 'spec.progressDeadlineSeconds', 600),
    container: typeof container.name === 'string' ? container.name : 'app',
    containerPort,
    ...probes,
    ...(probePort !== undefined && { probePort }),
    preStopSleepSeconds,
    terminationGracePeriodSeconds: seconds(template.terminationGracePeriodSeconds, 'terminationGracePeriodSeconds', 30),
    env,
    warnings
  }
}

function withProbe<K extends string> (key: K, value: ProbeSpec | undefined): Partial<Record<K, ProbeSpec>> {
  return value === undefined ? {} : { [key]: value } as Record<K, ProbeSpec>
}
