// The container's probes as the kubelet runs them (R5): httpGet only, on the container port or on one
// separate port whose number an env variable carries (each pod is given its own in its place).
import type { Obj } from '../load/fields.js'
import { isObj } from '../load/fields.js'
import type { ManifestFields } from './fields.js'

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

export type ProbeField = 'startupProbe' | 'readinessProbe' | 'livenessProbe'

export interface ContainerProbes {
  startupProbe?: ProbeSpec
  readinessProbe?: ProbeSpec
  livenessProbe?: ProbeSpec
  /** A separate port the probes use, and the env variables whose value is that port. */
  probePort?: { containerPort: number, env: string[] }
}

export function readProbes (container: Obj, ports: Obj[], containerPort: number, env: Record<string, string>, f: ManifestFields): ContainerProbes {
  const result: ContainerProbes = {}
  for (const field of ['startupProbe', 'readinessProbe', 'livenessProbe'] as const) {
    const p = container[field]
    if (p === undefined || p === null) continue
    if (!isObj(p) || !isObj(p.httpGet)) f.fail(`${field} must use httpGet (exec, tcpSocket and grpc probes are not rehearsed)`)
    const probe = p as Obj
    const http = probe.httpGet as Obj
    const number = probePort(field, http, ports, f)
    if (number !== containerPort) result.probePort = separatePort(field, number, http.port, result.probePort, containerPort, env, f)
    result[field] = readProbe(field, probe, number !== containerPort, f)
  }
  return result
}

function probePort (field: ProbeField, http: Obj, ports: Obj[], f: ManifestFields): number {
  const port = http.port
  const named = ports.find((cp) => cp.name === port)
  const number = typeof port === 'string' && named !== undefined ? named.containerPort : port
  if (typeof number !== 'number' || !Number.isInteger(number)) f.fail(`${field}.httpGet.port ${JSON.stringify(port)} is neither a port number nor a named container port`)
  return number as number
}

function separatePort (field: ProbeField, number: number, written: unknown, found: ContainerProbes['probePort'], containerPort: number, env: Record<string, string>, f: ManifestFields): NonNullable<ContainerProbes['probePort']> {
  if (found !== undefined && found.containerPort !== number) f.fail(`${field}.httpGet.port ${number}: probes on two ports besides the container port are not rehearsed`)
  const carriers = Object.keys(env).filter((name) => env[name] === String(number))
  if (carriers.length === 0) {
    f.fail(`${field}.httpGet.port ${JSON.stringify(written)} is not the container port ${containerPort} and no env variable (like ZERODOWN_PROBE_PORT) carries ${String(number)}, so each pod could not be given its own probe port`)
  }
  return { containerPort: number, env: carriers }
}

function readProbe (field: ProbeField, p: Obj, onProbePort: boolean, f: ManifestFields): ProbeSpec {
  const http = p.httpGet as Obj
  const path = typeof http.path === 'string' && http.path.startsWith('/') ? http.path : f.fail(`${field}.httpGet.path must start with "/"`)
  const spec: ProbeSpec = {
    path,
    onProbePort,
    initialDelaySeconds: f.seconds(p.initialDelaySeconds, `${field}.initialDelaySeconds`, 0),
    periodSeconds: f.seconds(p.periodSeconds, `${field}.periodSeconds`, 10, true),
    timeoutSeconds: f.seconds(p.timeoutSeconds, `${field}.timeoutSeconds`, 1, true),
    successThreshold: f.int(p.successThreshold, `${field}.successThreshold`, 1, 1),
    failureThreshold: f.int(p.failureThreshold, `${field}.failureThreshold`, 3, 1)
  }
  if (field !== 'readinessProbe' && spec.successThreshold !== 1) f.fail(`${field}.successThreshold must be 1, got ${spec.successThreshold}`)
  return spec
}
