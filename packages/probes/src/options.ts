import {
  checkOptions, closest, describeValue, forms, isPlainObject, object, resolveSetting, SETTINGS, type Env, type Form, type Setting
} from '@zerodown/contract'
import {
  ProbesDuplicateCheckError,
  ProbesDuplicatePathError,
  ProbesInvalidCheckError,
  ProbesInvalidEnvError,
  ProbesInvalidOptionError
} from './errors.js'

export { describeValue as describe }

/** What a check receives: `signal` aborts when the check's timeout passes. */
export interface CheckContext {
  signal: AbortSignal
}

/**
 * A readiness check. It passes when it returns or resolves anything but `false`; it fails when it
 * returns `false`, throws, rejects, or has not settled within its timeout.
 */
export type CheckFunction = (context: CheckContext) => unknown

export interface CheckSettings {
  /** Milliseconds before the check counts as failed. Default: the `checkTimeout` option (500). */
  timeout?: number
  /** A failing critical check fails readiness; a non-critical one only shows in details. Default `true`. */
  critical?: boolean
}

export interface CheckDefinition extends CheckSettings {
  name: string
  check: CheckFunction
}

export interface PressureOptions {
  /** Mean event-loop delay (ms) over a sample interval above which the process is under pressure; 0 = off. Default 1000. */
  maxEventLoopDelay?: number
  /** Event-loop utilisation (0 to 1) over a sample interval above which the process is under pressure; 0 = off. Default 0. */
  maxEventLoopUtilization?: number
  /** Heap used (bytes) above which the process is under pressure; 0 = off. Default 0. */
  maxHeapUsedBytes?: number
  /** Resident set size (bytes) above which the process is under pressure; 0 = off. Default 0. */
  maxRssBytes?: number
  /** How often (ms) the measures are sampled. Default 1000. */
  sampleInterval?: number
  /** Also answer user requests 503 with `Retry-After` while under pressure. Default `false`. */
  rejectRequests?: boolean
  /** Seconds in the `Retry-After` header of rejected user requests. Default 10. */
  retryAfter?: number
}

export interface ProbePaths {
  /** Default `ZERODOWN_PROBE_LIVENESS_PATH`, else `"/livez"`; `false` for no liveness route. */
  liveness?: string | false
  /** Default `ZERODOWN_PROBE_READINESS_PATH`, else `"/readyz"`; `false` for no readiness route. */
  readiness?: string | false
  /** Default `ZERODOWN_PROBE_STARTUP_PATH`, else `"/startupz"`; `false` for no startup route. */
  startup?: string | false
}

export interface ProbesOptions {
  /** Paths of the three probes. */
  paths?: ProbePaths
  /** Always answer details (state, pressure, each check). Default `false`. */
  verbose?: boolean
  /**
   * Answer details to a request that asks with `?verbose`. Default `true` on a probe port of its own
   * (`port`), `false` on the main port, where anyone who reaches the app could read every check's
   * name, state and timing.
   */
  verboseQuery?: boolean
  /** Log probe requests like any other request. Default `false`: probes are not request-logged. */
  logRequests?: boolean
  /** Readiness checks. More can be added with `app.probes.addCheck()`. */
  checks?: CheckDefinition[]
  /** Default timeout (ms) of a check, below Kubernetes' default 1 s probe timeout. Default `ZERODOWN_PROBE_CHECK_TIMEOUT_MS`, else 500. */
  checkTimeout?: number
  /** How long (ms) a check's result is reused before the check runs again; 0 = not cached. Default 1000. */
  cacheTtl?: number
  /** Pressure thresholds (through @fastify/under-pressure), or `false` to not watch pressure. */
  pressure?: PressureOptions | false
  /**
   * Serve the probes on a listener of their own on this port (0 = any free port) instead of the main
   * port. Default `ZERODOWN_PROBE_PORT`, else the main port.
   */
  port?: number
  /** Host of the probe listener. Default: the address the main server listens on. */
  host?: string
  /** Environment read for the `ZERODOWN_PROBE_*` variables. Default `process.env`. */
  env?: Env
}

export type ProbeKind = 'liveness' | 'readiness' | 'startup'

export interface ResolvedPressure {
  maxEventLoopDelay: number
  maxEventLoopUtilization: number
  maxHeapUsedBytes: number
  maxRssBytes: number
  sampleInterval: number
  rejectRequests: boolean
  retryAfter: number
}

export interface ResolvedCheck {
  name: string
  check: CheckFunction
  timeout: number
  critical: boolean
}

export interface ResolvedProbesOptions {
  /** Enabled probes by path. */
  routes: Array<[path: string, kind: ProbeKind]>
  verbose: boolean
  verboseQuery: boolean
  logRequests: boolean
  checks: ResolvedCheck[]
  checkTimeout: number
  cacheTtl: number
  pressure: ResolvedPressure | false
  port: number | undefined
  host: string | undefined
  /** The contract's values with where each came from, for the start log. */
  settings: ProbeSettings
}

export interface ProbeSettings {
  paths: Record<ProbeKind, Setting<string | false>>
  checkTimeout: Setting<number>
  /** `value` undefined: the probes answer on the main port. */
  port: Setting<number | undefined>
}

/** The environment variables of the contract (chart value -> pod environment -> plugin option). */
export const ENV = Object.freeze({
  port: SETTINGS.probePort.env,
  paths: Object.freeze({
    liveness: SETTINGS.livenessPath.env,
    readiness: SETTINGS.readinessPath.env,
    startup: SETTINGS.startupPath.env
  }),
  checkTimeout: SETTINGS.checkTimeout.env
})

const PATH_SETTINGS = { liveness: SETTINGS.livenessPath, readiness: SETTINGS.readinessPath, startup: SETTINGS.startupPath } as const

const PRESSURE_DEFAULTS: ResolvedPressure = {
  maxEventLoopDelay: 1000,
  maxEventLoopUtilization: 0,
  maxHeapUsedBytes: 0,
  maxRssBytes: 0,
  sampleInterval: 1000,
  rejectRequests: false,
  retryAfter: 10
}
const CACHE_TTL = 1000

const KINDS: readonly ProbeKind[] = ['liveness', 'readiness', 'startup']
const NAME = /^[\x21-\x7e](?:[\x20-\x7e]{0,62}[\x21-\x7e])?$/
const atLeast0 = (expected: string): Form<number> => forms.number(0, Number.MAX_VALUE, expected)
const bytes = atLeast0('a number of bytes >= 0 (0 = off)')

/** Every option and its form: the contract's checker refuses anything else, naming it. */
const SHAPE = {
  paths: object({
    liveness: forms.orFalse(SETTINGS.livenessPath.form),
    readiness: forms.orFalse(SETTINGS.readinessPath.form),
    startup: forms.orFalse(SETTINGS.startupPath.form)
  }, 'an object like { readiness: "/readyz" }'),
  verbose: forms.boolean,
  verboseQuery: forms.boolean,
  logRequests: forms.boolean,
  checks: { expected: 'an array like [{ name: "db", check: async () => {} }]', is: (value: unknown): value is unknown[] => Array.isArray(value) },
  checkTimeout: SETTINGS.checkTimeout.form,
  cacheTtl: atLeast0('a number of milliseconds >= 0 (0 = not cached)'),
  pressure: object({
    maxEventLoopDelay: atLeast0('a number of milliseconds >= 0 (0 = off)'),
    maxEventLoopUtilization: forms.number(0, 1, 'a number from 0 to 1 (0 = off)'),
    maxHeapUsedBytes: bytes,
    maxRssBytes: bytes,
    sampleInterval: forms.milliseconds(1),
    rejectRequests: forms.boolean,
    retryAfter: forms.wholeNumber(1, 86_400, 'a whole number of seconds from 1 to 86400')
  }, 'false or an object like { maxEventLoopDelay: 1000 }', { allowsFalse: true }),
  port: SETTINGS.probePort.form,
  host: { ...forms.nonEmptyText, expected: 'a non-empty host name or IP address' },
  env: forms.environment
}

function resolvePaths (given: ProbePaths, env: Env): { routes: Array<[string, ProbeKind]>, settings: ProbeSettings['paths'] } {
  const routes: Array<[string, ProbeKind]> = []
  const settings = {} as ProbeSettings['paths']
  for (const kind of KINDS) {
    const path = resolveSetting<string | false>(PATH_SETTINGS[kind], given[kind], env, ProbesInvalidEnvError)
    settings[kind] = path
    if (path.value === false) continue
    const taken = routes.find(([other]) => other === path.value)
    if (taken !== undefined) {
      const label = (k: ProbeKind): string => `the ${k} path (${settings[k].source})`
      throw new ProbesDuplicatePathError(label(taken[1]), label(kind), JSON.stringify(path.value))
    }
    routes.push([path.value, kind])
  }
  return { routes, settings }
}

const CHECK_KEYS = ['name', 'check', 'timeout', 'critical']

/** Validates one check; `where` names it in errors (`checks[0]`, `addCheck("db")`). */
export function resolveCheck (where: string, name: unknown, check: unknown, settings: unknown, checkTimeout: number): ResolvedCheck {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new ProbesInvalidCheckError(where, 'a name of 1 to 64 printable ASCII characters', describeValue(name))
  }
  const label = `${where} (${JSON.stringify(name)})`
  if (typeof check !== 'function') throw new ProbesInvalidCheckError(label, 'a function as "check"', describeValue(check))
  if (settings !== undefined && !isPlainObject(settings)) {
    throw new ProbesInvalidCheckError(label, 'settings like { timeout: 300, critical: true }', describeValue(settings))
  }
  const { timeout, critical, ...unknown } = settings ?? {}
  const stray = Object.keys(unknown)[0]
  if (stray !== undefined) {
    const near = closest(stray, CHECK_KEYS)
    throw new ProbesInvalidCheckError(label, `only ${CHECK_KEYS.map((k) => `"${k}"`).join(', ')}${near === undefined ? '' : ` (did you mean "${near}"?)`}`, `"${stray}"`)
  }
  if (timeout !== undefined && !SETTINGS.checkTimeout.form.is(timeout)) {
    throw new ProbesInvalidCheckError(label, `${SETTINGS.checkTimeout.form.expected} as "timeout"`, describeValue(timeout))
  }
  if (critical !== undefined && typeof critical !== 'boolean') {
    throw new ProbesInvalidCheckError(label, 'true or false as "critical"', describeValue(critical))
  }
  return { name, check: check as CheckFunction, timeout: timeout ?? checkTimeout, critical: critical ?? true }
}

function resolveChecks (checks: unknown[] | undefined, checkTimeout: number): ResolvedCheck[] {
  const resolved: ResolvedCheck[] = []
  for (const [index, entry] of (checks ?? []).entries()) {
    const where = `checks[${index}]`
    if (!isPlainObject(entry)) throw new ProbesInvalidCheckError(where, 'an object like { name: "db", check: async () => {} }', describeValue(entry))
    const { name, check, ...settings } = entry
    const one = resolveCheck(where, name, check, settings, checkTimeout)
    if (resolved.some((other) => other.name === one.name)) throw new ProbesDuplicateCheckError(JSON.stringify(one.name))
    resolved.push(one)
  }
  return resolved
}

/** The defaults, with each given value in place of its own (a key given as undefined keeps the default). */
function withDefaults<T extends object> (defaults: T, given: Partial<T>): T {
  return Object.fromEntries(Object.entries(defaults).map(([key, value]) => [key, given[key as keyof T] ?? value])) as T
}

export function resolveOptions (opts: ProbesOptions): ResolvedProbesOptions {
  checkOptions(SHAPE, opts, ProbesInvalidOptionError)
  const env = opts.env ?? process.env
  const timeout = resolveSetting(SETTINGS.checkTimeout, opts.checkTimeout, env, ProbesInvalidEnvError)
  const port = resolveSetting<number | undefined>(SETTINGS.probePort, opts.port, env, ProbesInvalidEnvError)
  if (opts.host !== undefined && port.value === undefined) {
    throw new ProbesInvalidOptionError('host', `to be given only with "port" or ${ENV.port} (the probe listener)`, describeValue(opts.host))
  }
  const paths = resolvePaths(opts.paths ?? {}, env)
  return {
    routes: paths.routes,
    verbose: opts.verbose ?? false,
    // Off on the main port: the Service exposes it. A probe port of its own is the kubelet's.
    verboseQuery: opts.verboseQuery ?? port.value !== undefined,
    logRequests: opts.logRequests ?? false,
    checks: resolveChecks(opts.checks, timeout.value),
    checkTimeout: timeout.value,
    cacheTtl: opts.cacheTtl ?? CACHE_TTL,
    pressure: opts.pressure === false ? false : withDefaults(PRESSURE_DEFAULTS, opts.pressure ?? {}),
    port: port.value,
    host: opts.host,
    settings: { paths: paths.settings, checkTimeout: timeout, port }
  }
}
