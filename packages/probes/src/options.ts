import { MAX_TIMER_MS, setting, TIMER_MS, wholeNumber, type Env, type Setting } from './env.js'
import {
  ProbesDuplicateCheckError,
  ProbesDuplicatePathError,
  ProbesInvalidCheckError,
  ProbesInvalidEnvError,
  ProbesInvalidOptionError
} from './errors.js'

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
  /** Always answer details (state, pressure, each check). Default `false`: only with `?verbose`. */
  verbose?: boolean
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
  port: 'ZERODOWN_PROBE_PORT',
  paths: Object.freeze({
    liveness: 'ZERODOWN_PROBE_LIVENESS_PATH',
    readiness: 'ZERODOWN_PROBE_READINESS_PATH',
    startup: 'ZERODOWN_PROBE_STARTUP_PATH'
  }),
  checkTimeout: 'ZERODOWN_PROBE_CHECK_TIMEOUT_MS'
})

const DEFAULTS = {
  paths: { liveness: '/livez', readiness: '/readyz', startup: '/startupz' },
  checkTimeout: 500,
  cacheTtl: 1000,
  pressure: {
    maxEventLoopDelay: 1000,
    maxEventLoopUtilization: 0,
    maxHeapUsedBytes: 0,
    maxRssBytes: 0,
    sampleInterval: 1000,
    rejectRequests: false,
    retryAfter: 10
  }
} as const

const KINDS: readonly ProbeKind[] = ['liveness', 'readiness', 'startup']
// A URL path: leading slash, no query, fragment, whitespace or control characters.
const PATH = /^\/[^\s?#\p{Cc}]*$/u
const PATH_FORM = 'a path starting with "/" without spaces, "?" or "#"'
const PORT_FORM = 'a whole number from 0 to 65535 (0 = any free port)'
const NAME = /^[\x21-\x7e](?:[\x20-\x7e]{0,62}[\x21-\x7e])?$/

export function describe (value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'function') return 'a function'
  if (Array.isArray(value)) return 'an array'
  if (value === null) return 'null'
  if (typeof value === 'object') return 'an object'
  return `${typeof value} ${String(value)}`
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

const isTimerMs = (value: unknown): value is number => typeof value === 'number' && value > 0 && value <= MAX_TIMER_MS

/** Milliseconds a timer waits: positive, and no longer than setTimeout keeps. */
function timerMs (option: string, value: unknown): number | undefined {
  if (value === undefined) return undefined
  if (!isTimerMs(value)) throw new ProbesInvalidOptionError(option, TIMER_MS, describe(value))
  return value
}

function nonNegative (option: string, value: unknown, expected: string, max = Infinity): number | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > max) {
    throw new ProbesInvalidOptionError(option, expected, describe(value))
  }
  return value
}

function boolean (option: string, value: unknown): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') {
    throw new ProbesInvalidOptionError(option, 'true or false', describe(value))
  }
  return value
}

const envPath = (variable: string, raw: string): string => {
  if (!PATH.test(raw)) throw new ProbesInvalidEnvError(variable, PATH_FORM, JSON.stringify(raw))
  return raw
}

function resolvePaths (paths: unknown, env: Env): { routes: Array<[string, ProbeKind]>, settings: ProbeSettings['paths'] } {
  if (paths !== undefined && !isObject(paths)) {
    throw new ProbesInvalidOptionError('paths', 'an object like { readiness: "/readyz" }', describe(paths))
  }
  const given = paths ?? {}
  for (const key of Object.keys(given)) {
    if (!(KINDS as readonly string[]).includes(key)) {
      throw new ProbesInvalidOptionError(`paths.${key}`, 'one of paths.liveness, paths.readiness, paths.startup', 'an unknown key')
    }
  }
  const routes: Array<[string, ProbeKind]> = []
  const settings = {} as ProbeSettings['paths']
  for (const kind of KINDS) {
    const option = given[kind]
    if (option !== undefined && option !== false && (typeof option !== 'string' || !PATH.test(option))) {
      throw new ProbesInvalidOptionError(`paths.${kind}`, `false or ${PATH_FORM}`, describe(option))
    }
    const path = setting(`paths.${kind}`, option as string | false | undefined, env, ENV.paths[kind], envPath,
      { value: DEFAULTS.paths[kind], source: 'default' })
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

/** Validates one check; `where` names it in errors (`checks[0]`, `addCheck("db")`). */
export function resolveCheck (where: string, name: unknown, check: unknown, settings: unknown, checkTimeout: number): ResolvedCheck {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new ProbesInvalidCheckError(where, 'a name of 1 to 64 printable ASCII characters', describe(name))
  }
  const label = `${where} (${JSON.stringify(name)})`
  if (typeof check !== 'function') throw new ProbesInvalidCheckError(label, 'a function as "check"', describe(check))
  if (settings !== undefined && !isObject(settings)) {
    throw new ProbesInvalidCheckError(label, 'settings like { timeout: 300, critical: true }', describe(settings))
  }
  const { timeout, critical } = settings ?? {}
  if (timeout !== undefined && !isTimerMs(timeout)) {
    throw new ProbesInvalidCheckError(label, `${TIMER_MS} as "timeout"`, describe(timeout))
  }
  if (critical !== undefined && typeof critical !== 'boolean') {
    throw new ProbesInvalidCheckError(label, 'true or false as "critical"', describe(critical))
  }
  return { name, check: check as CheckFunction, timeout: timeout ?? checkTimeout, critical: critical ?? true }
}

function resolveChecks (checks: unknown, checkTimeout: number): ResolvedCheck[] {
  if (checks === undefined) return []
  if (!Array.isArray(checks)) {
    throw new ProbesInvalidOptionError('checks', 'an array like [{ name: "db", check: async () => {} }]', describe(checks))
  }
  const resolved: ResolvedCheck[] = []
  checks.forEach((entry: unknown, index) => {
    const where = `checks[${index}]`
    if (!isObject(entry)) throw new ProbesInvalidCheckError(where, 'an object like { name: "db", check: async () => {} }', describe(entry))
    const { name, check, ...settings } = entry
    const one = resolveCheck(where, name, check, settings, checkTimeout)
    if (resolved.some((other) => other.name === one.name)) throw new ProbesDuplicateCheckError(JSON.stringify(one.name))
    resolved.push(one)
  })
  return resolved
}

function resolvePressure (pressure: unknown): ResolvedPressure | false {
  if (pressure === false) return false
  if (pressure !== undefined && !isObject(pressure)) {
    throw new ProbesInvalidOptionError('pressure', 'false or an object like { maxEventLoopDelay: 1000 }', describe(pressure))
  }
  const p = pressure ?? {}
  const d = DEFAULTS.pressure
  const bytes = 'a number of bytes >= 0 (0 = off)'
  const sampleInterval = timerMs('pressure.sampleInterval', p.sampleInterval)
  const retryAfter = p.retryAfter
  if (retryAfter !== undefined && (typeof retryAfter !== 'number' || !Number.isInteger(retryAfter) || retryAfter < 1)) {
    throw new ProbesInvalidOptionError('pressure.retryAfter', 'a whole number of seconds >= 1', describe(retryAfter))
  }
  return {
    maxEventLoopDelay: nonNegative('pressure.maxEventLoopDelay', p.maxEventLoopDelay, 'a number of milliseconds >= 0 (0 = off)') ?? d.maxEventLoopDelay,
    maxEventLoopUtilization: nonNegative('pressure.maxEventLoopUtilization', p.maxEventLoopUtilization, 'a number from 0 to 1 (0 = off)', 1) ?? d.maxEventLoopUtilization,
    maxHeapUsedBytes: nonNegative('pressure.maxHeapUsedBytes', p.maxHeapUsedBytes, bytes) ?? d.maxHeapUsedBytes,
    maxRssBytes: nonNegative('pressure.maxRssBytes', p.maxRssBytes, bytes) ?? d.maxRssBytes,
    sampleInterval: sampleInterval ?? d.sampleInterval,
    rejectRequests: boolean('pressure.rejectRequests', p.rejectRequests) ?? d.rejectRequests,
    retryAfter: retryAfter ?? d.retryAfter
  }
}

function resolvePort (port: unknown, env: Env): Setting<number | undefined> {
  if (port !== undefined && (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535)) {
    throw new ProbesInvalidOptionError('port', PORT_FORM, describe(port))
  }
  return setting<number | undefined>('port', port, env, ENV.port, (variable, raw) => wholeNumber(variable, raw, 0, 65535, PORT_FORM),
    { value: undefined, source: 'default' })
}

export function resolveOptions (opts: ProbesOptions): ResolvedProbesOptions {
  if (!isObject(opts)) throw new ProbesInvalidOptionError('options', 'an object', describe(opts))
  if (opts.env !== undefined && (opts.env === null || typeof opts.env !== 'object')) {
    throw new ProbesInvalidOptionError('env', 'an object of environment variables', describe(opts.env))
  }
  const env = (opts.env as Env | undefined) ?? process.env
  const timeout = setting('checkTimeout', timerMs('checkTimeout', opts.checkTimeout), env, ENV.checkTimeout,
    (variable, raw) => wholeNumber(variable, raw, 1, MAX_TIMER_MS, `a whole number of milliseconds from 1 to ${MAX_TIMER_MS}`),
    { value: DEFAULTS.checkTimeout, source: 'default' })
  const checkTimeout = timeout.value
  const host = opts.host
  if (host !== undefined && (typeof host !== 'string' || host === '')) {
    throw new ProbesInvalidOptionError('host', 'a non-empty host name or IP address', describe(host))
  }
  const port = resolvePort(opts.port, env)
  if (host !== undefined && port.value === undefined) {
    throw new ProbesInvalidOptionError('host', `to be given only with "port" or ${ENV.port} (the probe listener)`, describe(host))
  }
  const paths = resolvePaths(opts.paths, env)
  return {
    routes: paths.routes,
    verbose: boolean('verbose', opts.verbose) ?? false,
    logRequests: boolean('logRequests', opts.logRequests) ?? false,
    checks: resolveChecks(opts.checks, checkTimeout),
    checkTimeout,
    cacheTtl: nonNegative('cacheTtl', opts.cacheTtl, 'a number of milliseconds >= 0 (0 = not cached)') ?? DEFAULTS.cacheTtl,
    pressure: resolvePressure(opts.pressure),
    port: port.value,
    host,
    settings: { paths: paths.settings, checkTimeout: timeout, port }
  }
}
