import { checkOptions, drainFitsTimeout, forms, KUBERNETES_SERVICE_HOST, resolveSetting, SETTINGS, type Env, type Form, type Setting } from '@zerodown/contract'
import { ShutdownInvalidEnvError, ShutdownInvalidOptionError, ShutdownInvalidTimingError } from './errors.js'

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
  drainDelay: SETTINGS.drainDelay.env,
  timeout: SETTINGS.shutdownTimeout.env
})

/** The defaults; the contract's (`@zerodown/contract`) are the chart's too. */
export const DEFAULTS = Object.freeze({
  /** What Kubernetes (SIGTERM) and a terminal (Ctrl+C, SIGINT) send. */
  signals: Object.freeze(['SIGTERM', 'SIGINT'] as ShutdownSignal[]),
  /** Drain in Kubernetes: with the chart's 5 s preStop sleep, traffic is served for 10 s after deletion. */
  kubernetesDrainDelay: SETTINGS.drainDelay.default,
  /** Outside Kubernetes nobody routes traffic away first: close at once, so Ctrl+C stays instant. */
  drainDelay: 0,
  /** From SIGTERM: the app exits 1 with a log of what was pending before the kubelet's SIGKILL, which logs nothing. */
  timeout: SETTINGS.shutdownTimeout.default,
  exit: true,
  eventStreamEnd: ''
})

const signals: Form<ShutdownSignal[]> = {
  expected: `an array of distinct signal names among ${SUPPORTED_SIGNALS.join(', ')}`,
  is: (value): value is ShutdownSignal[] => Array.isArray(value) && value.every((s) => (SUPPORTED_SIGNALS as readonly unknown[]).includes(s)) &&
    new Set(value).size === value.length
}

/** Every option and its form: the contract's checker refuses anything else, naming it. */
const SHAPE = {
  signals,
  drainDelay: SETTINGS.drainDelay.form,
  timeout: SETTINGS.shutdownTimeout.form,
  exit: forms.boolean,
  env: forms.environment,
  eventStreamEnd: forms.text('a string (the final server-sent event, e.g. "retry: 2000\\n\\n")')
}

export function resolveOptions (opts: ShutdownOptions): ResolvedShutdownOptions {
  checkOptions(SHAPE, opts, ShutdownInvalidOptionError)
  const env = opts.env ?? process.env
  const inKubernetes = env[KUBERNETES_SERVICE_HOST] !== undefined && env[KUBERNETES_SERVICE_HOST] !== ''
  const drainDelay = resolveSetting(SETTINGS.drainDelay, opts.drainDelay, env, ShutdownInvalidEnvError, inKubernetes
    ? { value: DEFAULTS.kubernetesDrainDelay, source: `default in Kubernetes: ${KUBERNETES_SERVICE_HOST} is set` }
    : { value: DEFAULTS.drainDelay, source: 'default outside Kubernetes' })
  const timeout = resolveSetting(SETTINGS.shutdownTimeout, opts.timeout, env, ShutdownInvalidEnvError)
  if (!drainFitsTimeout({ timeout: timeout.value, drainDelay: drainDelay.value })) {
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
