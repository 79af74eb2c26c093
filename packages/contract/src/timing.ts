// The shutdown timings of one old pod, and the three rules that keep it from dropping a request.
// Seconds from the pod's deletion: S the preStop sleep, then SIGTERM; d the app's drain after it;
// T the app's deadline counted from SIGTERM, drain included; P how long load balancers may still send
// new connections; m a reserve before G, the grace period, ends in SIGKILL.

/** The Deployment annotation that carries P, in seconds, from the chart to the rehearsal. */
export const PROPAGATION_ANNOTATION = 'zerodown.dev/propagation-seconds'

/**
 * The least P there is: kube-proxy itself stops new connections to a deleted pod 0.1-0.4 s after the
 * deletion (measured on a real Kubernetes 1.20, cluster/FIDELITY.md), and up to its 1 s
 * --iptables-min-sync-period later when endpoints change quickly. Nothing in front of pods is faster.
 */
export const MIN_PROPAGATION_SECONDS = 1

export interface Timings {
  /** P */ propagation: number
  /** S */ preStop: number
  /** d */ drainDelay: number
  /** T */ timeout: number
  /** m */ margin: number
  /** G */ grace: number
}

/** The drain must end before the app's deadline: the plugin refuses to start otherwise. */
export const drainFitsTimeout = ({ timeout, drainDelay }: Pick<Timings, 'timeout' | 'drainDelay'>): boolean => timeout > drainDelay

/** The pod still accepts new connections for S + d after deletion: that must cover P. */
export const acceptsThroughPropagation = ({ preStop, drainDelay, propagation }: Pick<Timings, 'preStop' | 'drainDelay' | 'propagation'>): boolean =>
  preStop + drainDelay >= propagation

/** The grace period, counted from deletion, must hold the preStop, the app's deadline and the reserve. */
export const graceCoversShutdown = ({ grace, preStop, timeout, margin }: Pick<Timings, 'grace' | 'preStop' | 'timeout' | 'margin'>): boolean =>
  grace >= preStop + timeout + margin
