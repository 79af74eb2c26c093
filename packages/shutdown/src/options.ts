import { MAX_TIMER_MS, parseMilliseconds, setting, TIMER_LIMIT, type Env, type Setting } from './env.js'
import { ShutdownInvalidOptionError, ShutdownInvalidTimingError } from './errors.js'

/** Signals the plugin can handle: the ones close-with-grace listens to. */
export const SUPPORTED_SIGNALS = [
  'SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGILL', 'SIGTRAP', 'SIGABRT', 'SIGBUS', 'SIGFPE', 'SIGSEGV', 'SIGUSR2', 'SIGTERM'
] as const
export type ShutdownSignal = typeof SUPPORTED_SIGNALS[number]

export interface ShutdownOptions {
  /** Signals that start the shutdown. Default `['SIGTERM', 'SIGINT']`. */
  signals?: ShutdownSignal[]
  /**
   * Milliseconds spent draining (serving normally, every response with `Connection: close`) before
   * the listener closes. Default: `ZERODOWN_DRAIN_DELAY_MS`, else 5000 when `KUBERNETES_SERVICE_HOST`
   * is set, else 0.
   */
  drainDelay?: number
  /**
   * Milliseconds from the signal to a forced exit 1. Must be greater than `drainDelay`.
   * Default: `ZERODOWN_SHUTDOWN_TIMEOUT_MS`, else 20000.
   */
  timeout?: number
  /**
   * `true` (default): handle the signals, `uncaughtException` and `unhandledRejection`, and exit the
   * process when done. `false` (embedding, tests): no process handlers and no exit; `app.shutdown()`
   * runs the same drain and close and resolves when closed.
   */
  exit?: boolean
  /**
   * Environment read for `ZERODOWN_DRAIN_DELAY_MS`, `ZERODOWN_SHUTDOWN_TIMEOUT_MS` and
   * `KUBERNETES_SERVICE_HOST`. Default `process.env`.
   */
  env?: Env
  /**
   * Written last to every server-sent-events response (`content-type: text/event-stream`) still
   * open when closing begins, just before it is ended; e.g. `'retry: 2000\n\n'` for the client's
   * reconnection delay. Default `''`: the stream just ends.
   */
  eventStreamEnd?: string
}

export interface ResolvedShutdownOptions {
  signals: ShutdownSignal[]
  drainDelay: number
  timeout: number
  exit: boolean
  eventStreamEnd: string
  /** The contract's values with where each came from, for the start log. */
  settings: { drainDelay: Setting<number>, timeout: Setting<number> }
}

/** The environment variables of the contract (chart value -> pod environment -> plugin option). */
export const ENV = Object.freeze({
  drainDelay: 'ZERODOWN_DRAIN_DELAY_MS',
  timeout: 'ZERODOWN_SHUTDOWN_TIMEOUT_MS'
})

/**
 * The defaults, exported so the deploy chart can agree with them. They assume the chart's defaults:
 * a preStop sleep of 5 s and Kubernetes' default grace period of 30 s.
 */
export const DEFAULTS = Object.freeze({
  /** What Kubernetes (SIGTERM) and a terminal (Ctrl+C, SIGINT) send. */
  signals: Object.freeze(['SIGTERM', 'SIGINT'] as ShutdownSignal[]),
  /**
   * Drain for 5 s in Kubernetes: proxies and load balancers stop sending NEW connections 1-3 s (cloud
   * LBs 10 s) after the pod is deleted. With the chart's 5 s preStop sleep, traffic is served for
   * 5 + 5 = 10 s after deletion before the listener closes.
   */
  kubernetesDrainDelay: 5000,
  /** Outside Kubernetes nobody routes traffic away first: close at once, so Ctrl+C stays instant. */
  drainDelay: 0,
  /**
   * 20 s from SIGTERM: preStop 5 s + 20 s = 25 s leaves 5 s of Kubernetes' default 30 s grace period,
   * so the app exits 1 with a log of what was pending before the kubelet's SIGKILL, which logs nothing.
   */
  timeout: 20_000,
  exit: true,
  eventStreamEnd: ''
})

function describe (value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (Array.isArray(value)) return `array ${JSON.stringify(value)}`
  return `${value === null ? 'null' : typeof value} ${String(value)}`
}

function milliseconds (name: string, value: unknown): void {
  if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) {
    throw new ShutdownInvalidOptionError(name, 'a finite number of milliseconds >= 0', describe(value))
  }
  if (typeof value === 'number' && value > MAX_TIMER_MS) throw new ShutdownInvalidOptionError(name, TIMER_LIMIT, describe(value))
}

function validate (opts: ShutdownOptions): void {
  if (opts.signals !== undefined) {
    const signals: unknown = opts.signals
    const supported = new Set<unknown>(SUPPORTED_SIGNALS)
    if (!Array.isArray(signals) || signals.some((s) => !supported.has(s)) || new Set(signals).size !== signals.length) {
      throw new ShutdownInvalidOptionError('signals', `an array of distinct signal names among ${SUPPORTED_SIGNALS.join(', ')}`, describe(signals))
    }
  }
  milliseconds('drainDelay', opts.drainDelay)
  milliseconds('timeout', opts.timeout)
  if (opts.exit !== undefined && typeof opts.exit !== 'boolean') {
    throw new ShutdownInvalidOptionError('exit', 'a boolean', describe(opts.exit))
  }
  if (opts.eventStreamEnd !== undefined && typeof opts.eventStreamEnd !== 'string') {
    throw new ShutdownInvalidOptionError('eventStreamEnd', 'a string (the final server-sent event, e.g. "retry: 2000\\n\\n")', describe(opts.eventStreamEnd))
  }
  if (opts.env !== undefined && (opts.env === null || typeof opts.env !== 'object')) {
    throw new ShutdownInvalidOptionError('env', 'an object of environment variables', describe(opts.env))
  }
}

export function resolveOptions (opts: ShutdownOptions): ResolvedShutdownOptions {
  validate(opts)
  const env = opts.env ?? process.env
  const inKubernetes = env.KUBERNETES_SERVICE_HOST !== undefined && env.KUBERNETES_SERVICE_HOST !== ''
  const drainDelay = setting('drainDelay', opts.drainDelay, env, ENV.drainDelay, parseMilliseconds, inKubernetes
    ? { value: DEFAULTS.kubernetesDrainDelay, source: 'default in Kubernetes: KUBERNETES_SERVICE_HOST is set' }
    : { value: DEFAULTS.drainDelay, source: 'default outside Kubernetes' })
  const timeout = setting('timeout', opts.timeout, env, ENV.timeout, parseMilliseconds, { value: DEFAULTS.timeout, source: 'default' })
  if (timeout.value <= drainDelay.value) {
    throw new ShutdownInvalidTimingError(timeout.value, timeout.source, drainDelay.value, drainDelay.source)
  }
  return {
    signals: [...(opts.signals ?? DEFAULTS.signals)],
    drainDelay: drainDelay.value,
    timeout: timeout.value,
    exit: opts.exit ?? DEFAULTS.exit,
    eventStreamEnd: opts.eventStreamEnd ?? DEFAULTS.eventStreamEnd,
    settings: { drainDelay, timeout }
  }
}
