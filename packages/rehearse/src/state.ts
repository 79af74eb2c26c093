// What a rehearsal records as it runs; report/summary.ts turns it into the result.
import type { Pid1Model } from './runtime/process.js'
import type { PodPhase } from './kubelet/pod.js'
import type { Load } from './load/requests.js'
import type { LongLivedLoad } from './load/long-lived-clients.js'
import type { ResolvedOptions } from './options.js'
import type { Clock, PodEvent, RolloutEvent } from './timeline.js'

/** What the report reads of a pod: a pod of the rehearsal's own kubelet, or one seen in a real cluster. */
export interface PodRecord {
  readonly name: string
  readonly version: string
  /** The loopback port it listened on (0 in a real cluster). */
  readonly port: number
  readonly createdAt: number
  readonly deletedAt: number | undefined
  readonly restarts: number
  /** Its container's environment. */
  readonly env: Record<string, string>
  /** The last lines of its output. */
  readonly output: readonly string[]
  readonly phase: PodPhase
  readonly terminating: boolean
  readonly ready: boolean
}

export interface RehearsalState {
  opts: ResolvedOptions
  clock: Clock
  pid1: Pid1Model
  podEvents: PodEvent[]
  rolloutEvents: RolloutEvent[]
  allPods: PodRecord[]
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
  stuckPod?: PodRecord
  stuckReason?: string
  /** On a real cluster (--cluster): its context, the namespace and where the load went. */
  cluster?: { context: string, namespace: string, url: string }
}
