// What a scenario acts through: the cluster, the rehearsal's record, and the ticks of its loop.
import type { Cluster } from '../cluster/cluster.js'
import type { Pod } from '../kubelet/pod.js'
import type { RehearsalState } from '../state.js'
import type { RolloutEvent } from '../timeline.js'

export interface ScenarioContext {
  cluster: Cluster
  state: RehearsalState
  /** Pods that must be gone before the rollout's traffic is all on its final pods. */
  leaving: Set<Pod>
  /** The rehearsal was stopped (Ctrl+C, an AbortSignal). */
  aborted: () => boolean
  /** Waits one tick of the controllers' loop. */
  tick: () => Promise<void>
  event: (kind: RolloutEvent['kind'], detail?: string) => void
  /** The rollout made no progress: the rehearsal ends as stuck, showing this pod. */
  stuck: (pod: Pod | undefined, reason: string) => void
}

/** One way of rolling the pods, as Kubernetes has one file per strategy (rolling.go, recreate.go, rollback.go). */
export type ScenarioRun = (ctx: ScenarioContext) => Promise<void>
