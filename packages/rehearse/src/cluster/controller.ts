// The Deployment and ReplicaSet controllers as pure functions: observed state in, next action out.
// Follows pkg/controller/deployment (rolling.go, sync.go, progress.go) and pkg/controller/replicaset
// of the Kubernetes source, so the rehearsal scales ReplicaSets exactly as a cluster would. The
// int-or-percent arithmetic (R1) is the deploy chart's own, so the chart's lint and the rehearsal agree.
import { resolveIntOrPercent, resolveRollout, type IntOrPercent } from '@zerodown/deploy/rollout'

/** A pod as the controllers see it. Times are milliseconds on the rehearsal's clock. */
export interface PodView {
  name: string
  createdAt: number
  /** Ready (readiness probe passing) since this time; absent while not ready. */
  readySince?: number
  /** Deleted: counted by no controller any more (R3). */
  terminating: boolean
}

export interface ReplicaSetView {
  name: string
  /** spec.replicas: what the Deployment controller asked for. */
  replicas: number
  pods: PodView[]
}

export interface RolloutSpec {
  replicas: number
  maxSurge: IntOrPercent
  maxUnavailable: IntOrPercent
  minReadySeconds: number
  progressDeadlineSeconds: number
}

export interface DeploymentStatus {
  /** Pods that are not terminating, in every ReplicaSet. */
  replicas: number
  updatedReplicas: number
  readyReplicas: number
  availableReplicas: number
}

export interface ObservedState {
  now: number
  spec: RolloutSpec
  newRS: ReplicaSetView
  /** Oldest first. */
  oldRSs: ReplicaSetView[]
  /** Status at the previous sync, to detect progress. */
  previous?: DeploymentStatus
  /** When progress was last made (the Progressing condition's lastUpdateTime). */
  lastProgressAt: number
}

export interface ScaleAction {
  replicaSet: string
  from: number
  to: number
}

export interface SyncResult {
  /** Spec changes to apply to ReplicaSets, in order. */
  scale: ScaleAction[]
  status: DeploymentStatus
  lastProgressAt: number
  /** All replicas updated and available, no old pod left (DeploymentComplete). */
  complete: boolean
  /** No progress for `progressDeadlineSeconds` (ProgressDeadlineExceeded); no rollback. */
  deadlineExceeded: boolean
}

/** R4: ready for at least minReadySeconds, and not terminating (R3). */
export function isAvailable (pod: PodView, minReadySeconds: number, now: number): boolean {
  return !pod.terminating && pod.readySince !== undefined && now - pod.readySince >= minReadySeconds * 1000
}

const active = (rs: ReplicaSetView): PodView[] => rs.pods.filter((p) => !p.terminating)
const available = (rs: ReplicaSetView, minReadySeconds: number, now: number): number =>
  rs.pods.filter((p) => isAvailable(p, minReadySeconds, now)).length
const sumSpec = (sets: ReplicaSetView[]): number => sets.reduce((n, rs) => n + rs.replicas, 0)

export function deploymentStatus (state: Pick<ObservedState, 'now' | 'spec' | 'newRS' | 'oldRSs'>): DeploymentStatus {
  const all = [state.newRS, ...state.oldRSs]
  return {
    replicas: all.reduce((n, rs) => n + active(rs).length, 0),
    updatedReplicas: active(state.newRS).length,
    readyReplicas: all.reduce((n, rs) => n + active(rs).filter((p) => p.readySince !== undefined).length, 0),
    availableReplicas: all.reduce((n, rs) => n + available(rs, state.spec.minReadySeconds, state.now), 0)
  }
}

/** rolling.go reconcileNewReplicaSet: scale the new ReplicaSet up to at most replicas + surge in total (R2). */
function newReplicaSetTarget (state: ObservedState, surge: number): number {
  const { replicas } = state.spec
  const current = state.newRS.replicas
  if (current >= replicas) return replicas
  const total = sumSpec([state.newRS, ...state.oldRSs])
  const maxTotal = replicas + surge
  if (total >= maxTotal) return current
  return current + Math.min(maxTotal - total, replicas - current)
}

/** rolling.go reconcileOldReplicaSets: unhealthy old pods first, then scale down while availability allows (R2). */
function scaleDownOld (state: ObservedState, unavailable: number): ScaleAction[] {
  const { spec, now, newRS } = state
  const olds = state.oldRSs.map((rs) => ({ rs, to: rs.replicas }))
  if (sumSpec(state.oldRSs) === 0) return []
  const allPods = sumSpec([newRS, ...state.oldRSs])
  const minAvailable = spec.replicas - unavailable
  const newUnavailable = newRS.replicas - available(newRS, spec.minReadySeconds, now)
  const maxScaledDown = allPods - minAvailable - newUnavailable
  if (maxScaledDown <= 0) return []

  // cleanupUnhealthyReplicas: old pods that are not available can go without hurting availability.
  let cleaned = 0
  for (const old of olds) {
    if (cleaned >= maxScaledDown) break
    const healthy = available(old.rs, spec.minReadySeconds, now)
    if (old.to === healthy) continue
    const n = Math.min(maxScaledDown - cleaned, old.to - healthy)
    old.to -= n
    cleaned += n
  }

  // scaleDownOldReplicaSetsForRollingUpdate: keep at least minAvailable available pods.
  const availableNow = [newRS, ...state.oldRSs].reduce((n, rs) => n + available(rs, spec.minReadySeconds, now), 0)
  if (availableNow > minAvailable) {
    const total = availableNow - minAvailable
    let done = 0
    for (const old of olds) {
      if (done >= total) break
      if (old.to === 0) continue
      const n = Math.min(old.to, total - done)
      old.to -= n
      done += n
    }
  }
  return olds.filter((o) => o.to !== o.rs.replicas).map((o) => ({ replicaSet: o.rs.name, from: o.rs.replicas, to: o.to }))
}

function progressed (previous: DeploymentStatus | undefined, status: DeploymentStatus): boolean {
  if (previous === undefined) return true
  return status.updatedReplicas > previous.updatedReplicas ||
    status.readyReplicas > previous.readyReplicas ||
    status.availableReplicas > previous.availableReplicas ||
    status.replicas - status.updatedReplicas < previous.replicas - previous.updatedReplicas
}

/** One sync of the Deployment controller (rolloutRolling): at most one step, like a requeue per change. */
export function syncDeployment (state: ObservedState): SyncResult {
  const { spec, now } = state
  const { surge, unavailable } = resolveRollout(spec.maxSurge, spec.maxUnavailable, spec.replicas)
  const status = deploymentStatus(state)
  const complete = status.updatedReplicas === spec.replicas && status.replicas === spec.replicas &&
    status.availableReplicas === spec.replicas && state.newRS.replicas === spec.replicas && sumSpec(state.oldRSs) === 0

  let scale: ScaleAction[] = []
  const target = newReplicaSetTarget(state, surge)
  if (target !== state.newRS.replicas) {
    scale = [{ replicaSet: state.newRS.name, from: state.newRS.replicas, to: target }]
  } else {
    scale = scaleDownOld(state, unavailable)
  }

  const moved = progressed(state.previous, status) || scale.length > 0
  const lastProgressAt = moved ? now : state.lastProgressAt
  const deadlineExceeded = !complete && now - lastProgressAt > spec.progressDeadlineSeconds * 1000
  return { scale, status, lastProgressAt, complete, deadlineExceeded }
}

export interface ReplicaSetAction {
  create: number
  /** Pod names to delete, most expendable first. */
  delete: string[]
}

/**
 * The ReplicaSet controller: create missing pods, or delete extra ones ranked as in controller_utils
 * ActivePodsWithRanks — not ready before ready, ready for less time before longer, newer before older.
 */
export function syncReplicaSet (rs: ReplicaSetView): ReplicaSetAction {
  const pods = active(rs)
  const diff = pods.length - rs.replicas
  if (diff < 0) return { create: -diff, delete: [] }
  if (diff === 0) return { create: 0, delete: [] }
  const ranked = [...pods].sort((a, b) => {
    if ((a.readySince === undefined) !== (b.readySince === undefined)) return a.readySince === undefined ? -1 : 1
    if (a.readySince !== undefined && b.readySince !== undefined && a.readySince !== b.readySince) return b.readySince - a.readySince
    return b.createdAt - a.createdAt
  })
  return { create: 0, delete: ranked.slice(0, diff).map((p) => p.name) }
}

/** A PodDisruptionBudget's one field; without a budget a drain takes one pod at a time. */
export type Budget = { minAvailable: IntOrPercent } | { maxUnavailable: IntOrPercent }

/**
 * The disruption controller (pkg/controller/disruption): how many evictions the budget allows now.
 * `healthy` counts ready pods that are not being deleted; both percentages round up against `expected`,
 * the ReplicaSet's replicas. An eviction is allowed while this is above 0.
 */
export function disruptionsAllowed (budget: Budget, expected: number, healthy: number): number {
  const desired = 'minAvailable' in budget
    ? resolveIntOrPercent(budget.minAvailable, expected, true)
    : Math.max(0, expected - resolveIntOrPercent(budget.maxUnavailable, expected, true))
  return Math.max(0, healthy - desired)
}
