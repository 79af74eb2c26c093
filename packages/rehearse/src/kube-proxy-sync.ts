// kube-proxy never applies an endpoint change at once (R6). Its informer sees the change some time
// after the pod changed, and it rewrites its iptables rules through a BoundedFrequencyRunner
// (pkg/util/async, created in pkg/proxy/iptables/proxier.go with --iptables-min-sync-period and a
// burst of 2): two syncs back to back, then one per minimum period; changes that wait share a sync.
// Measured on a real Kubernetes 1.20 (cluster/, the fidelity table): a deleted pod's rule was gone
// 140–400 ms after its deletion during rollouts.

export interface KubeProxyTimings {
  /** From a pod's change to kube-proxy's informer, with the rewrite itself. */
  latencyMs: number
  /** --iptables-min-sync-period. */
  minSyncMs: number
  /** Syncs the runner allows back to back. */
  burst: number
}

export const KUBE_PROXY_TIMINGS: KubeProxyTimings = { latencyMs: 250, minSyncMs: 1000, burst: 2 }

export class KubeProxySync {
  private tokens: number
  private refilledAt = -Infinity
  /** The sync already scheduled, which later changes join. */
  private pendingAt = -Infinity

  constructor (private readonly timings: KubeProxyTimings = KUBE_PROXY_TIMINGS) {
    this.tokens = timings.burst
  }

  /** When a change that happened at `at` (ms, non-decreasing between calls) reaches the rules. */
  appliedAt (at: number): number {
    const seen = at + this.timings.latencyMs
    if (seen <= this.pendingAt) return this.pendingAt
    const { minSyncMs, burst } = this.timings
    if (this.refilledAt !== -Infinity) this.tokens = Math.min(burst, this.tokens + (seen - this.refilledAt) / minSyncMs)
    this.refilledAt = seen
    const wait = this.tokens >= 1 ? 0 : (1 - this.tokens) * minSyncMs
    this.tokens -= 1
    this.pendingAt = seen + wait
    return this.pendingAt
  }
}
