// The chart's side of the one contract from values to pod to plugin: the environment variables it
// renders, each from one value, and the annotation that carries the propagation allowance P.
// The table in the root README names the plugin option each variable feeds.
import type { Values } from './values.js'

interface Rendered {
  /** The value the variable comes from, as a user sets it. */
  from: string
  /** The variable's value, or undefined when the chart leaves it out. */
  value: (values: Values) => string | undefined
}

const RENDERED = {
  ZERODOWN_APP_VERSION: { from: 'image.tag', value: (values) => values.image.tag },
  PORT: { from: 'container.port', value: (values) => String(values.container.port) },
  ZERODOWN_DRAIN_DELAY_MS: { from: 'shutdown.drainDelaySeconds', value: (values) => String(values.shutdown.drainDelaySeconds * 1000) },
  ZERODOWN_SHUTDOWN_TIMEOUT_MS: { from: 'shutdown.timeoutSeconds', value: (values) => String(values.shutdown.timeoutSeconds * 1000) },
  ZERODOWN_PROBE_PORT: { from: 'probes.port', value: (values) => (values.probes.port === null ? undefined : String(values.probes.port)) },
  ZERODOWN_PROBE_LIVENESS_PATH: { from: 'probes.liveness.path', value: (values) => values.probes.liveness.path },
  ZERODOWN_PROBE_READINESS_PATH: { from: 'probes.readiness.path', value: (values) => values.probes.readiness.path },
  ZERODOWN_PROBE_STARTUP_PATH: { from: 'probes.startup.path', value: (values) => values.probes.startup.path },
  ZERODOWN_PROBE_CHECK_TIMEOUT_MS: { from: 'probes.checkTimeoutMs', value: (values) => String(values.probes.checkTimeoutMs) }
} satisfies Record<string, Rendered>

export type ChartEnvName = keyof typeof RENDERED

/**
 * Every environment variable the chart renders, by name, with the value it comes from. The chart
 * owns these names: lint refuses them in `container.env` and `config`.
 */
export const CHART_ENV: Readonly<Record<ChartEnvName, string>> = Object.freeze(Object.fromEntries(
  Object.entries(RENDERED).map(([name, { from }]) => [name, from])
) as Record<ChartEnvName, string>)

/** The Deployment annotation that carries `shutdown.propagationSeconds` (P), in seconds. */
export const PROPAGATION_ANNOTATION = 'zerodown.dev/propagation-seconds'

/** The app's side of the contract, derived from the values that also render the manifest. */
export function chartEnv (values: Values): Array<{ name: ChartEnvName, value: string }> {
  return Object.entries(RENDERED).flatMap(([name, { value }]) => {
    const rendered = value(values)
    return rendered === undefined ? [] : [{ name: name as ChartEnvName, value: rendered }]
  })
}
