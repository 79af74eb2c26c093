/** One clock for every event of a rehearsal: milliseconds since the rehearsal started. */
export interface Clock {
  now (): number
}

export function createClock (): Clock {
  const origin = performance.now()
  return { now: () => performance.now() - origin }
}

export type PodEventKind =
  | 'created' | 'started' | 'ready' | 'not-ready' | 'probe-failed' | 'restarting' | 'deleted'
  | 'prestop-done' | 'prestop-failed' | 'sigterm' | 'sigkill' | 'exited' | 'terminated'

export interface PodEvent {
  at: number
  pod: string
  kind: PodEventKind
  detail?: string
}

export type RolloutEventKind = 'initial-available' | 'rollout-started' | 'scaled' | 'rolled-back' | 'evicted' | 'rollout-complete' | 'deadline-exceeded'

export interface RolloutEvent {
  at: number
  kind: RolloutEventKind
  detail?: string
}
