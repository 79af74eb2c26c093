// What a rehearsal records as it runs; report/summary.ts turns it into the result.
import type { Pid1Model } from './runtime/process.js'
import type { Pod } from './kubelet/pod.js'
import type { Load } from './load/requests.js'
import type { LongLivedLoad } from './load/long-lived-clients.js'
import type { ResolvedOptions } from './options.js'
import type { Clock, PodEvent, RolloutEvent } from './timeline.js'

export interface RehearsalState {
  opts: ResolvedOptions
  clock: Clock
  pid1: Pid1Model
  podEvents: PodEvent[]
  rolloutEvents: RolloutEvent[]
  allPods: Pod[]
  load?: Load
  longLived?: LongLivedLoad
  outcome: 'complete' | 'stuck' | 'aborted'
  /** The version every pod runs once the scenario is done (oldVersion after a rollback). */
  finalVersion: string
  rolloutStartedAt?: number
  rolloutCompletedAt?: number
  /** When the last pod that had to go (old ReplicaSets, evicted pods) was gone. */
  oldGoneAt?: number
  endedAt?: number
  stuckPod?: Pod
  stuckReason?: string
}
