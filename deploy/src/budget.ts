// The shutdown budget: one set of values sets both the manifest's timings and the app's, so they cannot disagree.
import type { Values } from './values.js'

/** The least P there is: the contract's (kube-proxy's own delay, measured on a real cluster). */
export { MIN_PROPAGATION_SECONDS } from '@zerodown/contract'

/**
 * The timings of one old pod, in seconds from its deletion. G counts from deletion, preStop
 * included; T counts from SIGTERM (after the preStop sleep) and contains the drain d.
 */
export interface ShutdownBudget {
  /** P: how long load balancers in front may still send new connections after deletion. */
  propagationSeconds: number
  /** S: the preStop sleep, before SIGTERM. */
  preStopSeconds: number
  /** d: how long the app keeps serving after SIGTERM. */
  drainDelaySeconds: number
  /** T: the app's deadline, counted from SIGTERM, drain included. */
  timeoutSeconds: number
  /** m: reserve between the app's deadline and SIGKILL. */
  marginSeconds: number
  /** G: terminationGracePeriodSeconds. */
  graceSeconds: number
  /** S + d: how long after deletion the app still accepts new connections; must be at least P. */
  acceptingSeconds: number
  /** S + T + m: what G must cover. */
  neededSeconds: number
}

export function shutdownBudget (values: Values): ShutdownBudget {
  const { propagationSeconds, preStop, drainDelaySeconds, timeoutSeconds, marginSeconds } = values.shutdown
  return {
    propagationSeconds,
    preStopSeconds: preStop.sleepSeconds,
    drainDelaySeconds,
    timeoutSeconds,
    marginSeconds,
    graceSeconds: values.terminationGracePeriodSeconds,
    acceptingSeconds: preStop.sleepSeconds + drainDelaySeconds,
    neededSeconds: preStop.sleepSeconds + timeoutSeconds + marginSeconds
  }
}
