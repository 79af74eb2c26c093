// The environment a kubelet gives a container, as far as it can be known without a cluster: the
// container's env and envFrom (ConfigMaps and Secrets found in the same manifest), the downward API
// fields that make sense on one machine, the Service variables and HOSTNAME; plus, of the caller's
// environment, only what a process needs to start.
import { isObj, type Obj } from '../load/fields.js'

/** Something in the manifest's env that cannot be given here; `name` is the variable when one is known. */
export interface UnresolvedEnv {
  name?: string
  message: string
}

/** What the manifest around the container tells about its environment. */
export interface EnvContext {
  /** The Deployment's namespace, "default" when it has none. */
  namespace: string
  serviceAccountName: string
  nodeName: string
  labels: Record<string, string>
  annotations: Record<string, string>
  /** ConfigMaps and Secrets of the manifest in the Deployment's namespace, by name; values decoded. */
  configMaps: Map<string, Record<string, string>>
  secrets: Map<string, Record<string, string>>
}

export interface ContainerEnv {
  /** Every variable whose value is known before a pod exists. */
  env: Record<string, string>
  /** Variables that hold the pod's name (`fieldRef: metadata.name`): set per pod. */
  podNameEnv: string[]
  unresolved: UnresolvedEnv[]
}

/** The address a pod and its node have here: loopback, so nothing leaves the machine. */
export const LOOPBACK = '127.0.0.1'

/**
 * Of the caller's environment, only these reach a pod (and `LC_*`): what a process needs to start,
 * find programs, and format text and time. Anything else is passed with `passEnv` or `env`.
 */
export const CALLER_ENV = ['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LANGUAGE', 'TZ', 'TMPDIR', 'TMP', 'TEMP', 'SYSTEMROOT', 'COMSPEC', 'PATHEXT', 'WINDIR'] as const

const SOURCES = { configMapKeyRef: 'ConfigMap', secretKeyRef: 'Secret' } as const
const FROM_SOURCES = { configMapRef: 'ConfigMap', secretRef: 'Secret' } as const

/** ConfigMaps and Secrets among the manifest's objects, in `namespace` (objects without one are taken as in it). */
export function envObjects (objects: unknown[], namespace: string): Pick<EnvContext, 'configMaps' | 'secrets'> {
  const configMaps = new Map<string, Record<string, string>>()
  const secrets = new Map<string, Record<string, string>>()
  for (const o of objects) {
    if (!isObj(o) || !isObj(o.metadata) || typeof o.metadata.name !== 'string') continue
    const ns = o.metadata.namespace
    if (ns !== undefined && ns !== namespace) continue
    const strings = (v: unknown, decode: (s: string) => string): Record<string, string> =>
      isObj(v) ? Object.fromEntries(Object.entries(v).map(([k, s]) => [k, decode(String(s))])) : {}
    const plain = (s: string): string => s
    if (o.kind === 'ConfigMap') configMaps.set(o.metadata.name, strings(o.data, plain))
    if (o.kind === 'Secret') {
      secrets.set(o.metadata.name, { ...strings(o.data, (s) => Buffer.from(s, 'base64').toString('utf8')), ...strings(o.stringData, plain) })
    }
  }
  return { configMaps, secrets }
}

/** A container's `env` and `envFrom`, resolved as the kubelet does: envFrom first, then env in order. */
export function containerEnv (container: Obj, context: EnvContext): ContainerEnv {
  const env: Record<string, string> = {}
  const podNameEnv = new Set<string>()
  const unresolved: UnresolvedEnv[] = []
  const set = (name: string, value: string): void => { env[name] = value; podNameEnv.delete(name) }

  for (const entry of Array.isArray(container.envFrom) ? container.envFrom.filter(isObj) : []) {
    const prefix = typeof entry.prefix === 'string' ? entry.prefix : ''
    for (const [field, kind] of Object.entries(FROM_SOURCES)) {
      const ref = entry[field]
      if (!isObj(ref)) continue
      const data = (kind === 'ConfigMap' ? context.configMaps : context.secrets).get(String(ref.name))
      if (data === undefined) {
        if (ref.optional !== true) unresolved.push({ message: `envFrom ${kind} ${String(ref.name)}: not in the manifest; pass its variables with --env` })
        continue
      }
      for (const [key, value] of Object.entries(data)) set(prefix + key, value)
    }
  }

  for (const entry of Array.isArray(container.env) ? container.env.filter(isObj) : []) {
    if (typeof entry.name !== 'string') continue
    const name = entry.name
    if (!isObj(entry.valueFrom)) {
      set(name, entry.value === undefined || entry.value === null ? '' : String(entry.value))
      continue
    }
    const from = entry.valueFrom
    if (isObj(from.fieldRef)) {
      const path = String(from.fieldRef.fieldPath)
      if (path === 'metadata.name') {
        delete env[name]
        podNameEnv.add(name)
        continue
      }
      const value = fieldValue(path, context)
      if (value !== undefined) set(name, value)
      else unresolved.push({ name, message: `env ${name} from the field ${path}: not reproduced; pass it with --env` })
      continue
    }
    const source = Object.entries(SOURCES).find(([field]) => isObj(from[field]))
    if (source === undefined) {
      unresolved.push({ name, message: `env ${name} from ${Object.keys(from).join(', ') || 'an empty valueFrom'}: not reproduced; pass it with --env` })
      continue
    }
    const [field, kind] = source
    const ref = from[field] as Obj
    const data = (kind === 'ConfigMap' ? context.configMaps : context.secrets).get(String(ref.name))
    const value = data?.[String(ref.key)]
    if (value !== undefined) set(name, value)
    else if (ref.optional !== true) {
      const why = data === undefined ? 'not in the manifest' : `it has no key ${String(ref.key)}`
      unresolved.push({ name, message: `env ${name} from ${kind} ${String(ref.name)}: ${why}; pass it with --env` })
    }
  }
  return { env, podNameEnv: [...podNameEnv], unresolved }
}

function fieldValue (path: string, context: EnvContext): string | undefined {
  switch (path) {
    case 'metadata.namespace': return context.namespace
    case 'status.podIP':
    case 'status.podIPs':
    case 'status.hostIP':
    case 'status.hostIPs': return LOOPBACK
    case 'spec.nodeName': return context.nodeName
    case 'spec.serviceAccountName': return context.serviceAccountName
  }
  const labelOrAnnotation = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path)
  if (labelOrAnnotation === null) return undefined
  return (labelOrAnnotation[1] === 'labels' ? context.labels : context.annotations)[labelOrAnnotation[2]!]
}

/** The caller's variables a pod gets: the allow-list, `LC_*`, and the names in `passEnv`. */
export function callerEnv (source: NodeJS.ProcessEnv, passEnv: readonly string[] = []): Record<string, string> {
  const allowed = new Set<string>([...CALLER_ENV, ...passEnv])
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(source)) {
    if (value !== undefined && (allowed.has(key) || key.startsWith('LC_'))) env[key] = value
  }
  return env
}

export interface PodEnvInput {
  podName: string
  container: Pick<ContainerEnv, 'env' | 'podNameEnv'>
  /** The caller's environment (default `process.env`), filtered by `callerEnv`. */
  caller?: NodeJS.ProcessEnv
  passEnv?: readonly string[]
  /** The rehearsal's own settings (the user's `env`, the version, ports): they win over everything. */
  overrides?: Record<string, string>
}

/**
 * One pod's whole environment, lowest first: the caller's allowed variables, what the kubelet adds
 * (the Service variables of the API server, HOSTNAME), the container's env, the variables named in
 * `passEnv`, then `overrides`.
 */
export function podEnv (input: PodEnvInput): Record<string, string> {
  const caller = callerEnv(input.caller ?? process.env, input.passEnv)
  const passed = Object.fromEntries((input.passEnv ?? []).filter((name) => name in caller).map((name) => [name, caller[name]!]))
  return {
    ...caller,
    KUBERNETES_SERVICE_HOST: LOOPBACK,
    KUBERNETES_SERVICE_PORT: '443',
    HOSTNAME: input.podName,
    ...input.container.env,
    ...Object.fromEntries(input.container.podNameEnv.map((name) => [name, input.podName])),
    ...passed,
    ...input.overrides
  }
}
