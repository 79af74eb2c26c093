// The shutdown budget: one set of values sets both the manifest's timings and the app's, so they cannot disagree.
import type { Values } from './values.js'

export interface ShutdownBudget {
  preStopSeconds: number
  drainDelaySeconds: number
  timeoutSeconds: number
  marginSeconds: number
  /** preStop + drain + timeout + margin: what terminationGracePeriodSeconds must cover. */
  neededSeconds: number
  graceSeconds: number
}

export function shutdownBudget (values: Values): ShutdownBudget {
  const { preStop, drainDelaySeconds, timeoutSeconds, marginSeconds } = values.shutdown
  return {
    preStopSeconds: preStop.sleepSeconds,
    drainDelaySeconds,
    timeoutSeconds,
    marginSeconds,
    neededSeconds: preStop.sleepSeconds + drainDelaySeconds + timeoutSeconds + marginSeconds,
    graceSeconds: values.terminationGracePeriodSeconds
  }
}

/** Environment variables the chart sets itself; a user's `container.env` may not set them. */
export const CHART_ENV = ['APP_VERSION', 'PORT', 'DRAIN_DELAY_MS', 'SHUTDOWN_TIMEOUT_MS', 'PROBE_PORT'] as const

/** The app's side of the contract, derived from the values that also render the manifest. */
export function chartEnv (values: Values): Array<{ name: string, value: string }> {
  const env = [
    { name: 'APP_VERSION', value: values.image.tag },
    { name: 'PORT', value: String(values.container.port) },
    { name: 'DRAIN_DELAY_MS', value: String(values.shutdown.drainDelaySeconds * 1000) },
    { name: 'SHUTDOWN_TIMEOUT_MS', value: String(values.shutdown.timeoutSeconds * 1000) }
  ]
  if (values.probes.port !== null) env.push({ name: 'PROBE_PORT', value: String(values.probes.port) })
  return env
}
