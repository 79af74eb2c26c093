// What one side of a fidelity row reports, the same shape for the real cluster and the rehearsal.
import { FAILURE_KINDS, type FailureKind } from './load-shape.js'

export interface OldPodEnd {
  name: string
  /** How its container ended: "exit 0", "exit 137", or "gone" when the side did not see. */
  exit: string
  /** Deletion to the end of new connections to it (real: kube-proxy's rule gone). */
  propagationMs?: number
  /** Deletion to the kubelet starting to stop it (real: its "Killing" event): preStop, then the signal. */
  killingMs?: number
}

export interface SideResult {
  verdict: 'pass' | 'fail'
  rolloutComplete: boolean
  requests: number
  failed: number
  failures: Record<FailureKind, number>
  /** By client shape: keep-alive and new-connection clients' failures. */
  rolloutSeconds?: number
  oldPods: OldPodEnd[]
}

export function emptyFailures (): Record<FailureKind, number> {
  return Object.fromEntries(FAILURE_KINDS.map((kind) => [kind, 0])) as Record<FailureKind, number>
}

export function describeFailures (side: Pick<SideResult, 'failed' | 'failures'>): string {
  if (side.failed === 0) return '0'
  const kinds = FAILURE_KINDS.filter((kind) => side.failures[kind] > 0).map((kind) => `${kind} ${side.failures[kind]}`)
  return `${side.failed} (${kinds.join(', ')})`
}
