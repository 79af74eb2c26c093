// The Deployment controller (controller.ts, syncDeployment) synced each tick, as kube-controller-manager
// does, until the rollout completes (R4) or makes no progress for progressDeadlineSeconds.
import type { ScenarioContext } from '../scenarios/context.js'
import { syncDeployment, type DeploymentStatus, type RolloutSpec } from './controller.js'

/** `beforeSync` runs first on every tick: where `kubectl rollout undo` changes the template. */
export async function rolloutLoop (ctx: ScenarioContext, beforeSync?: () => void): Promise<void> {
  const { cluster, state } = ctx
  const spec = state.opts.deployment
  const rollout: RolloutSpec = {
    replicas: spec.replicas,
    maxSurge: spec.maxSurge,
    maxUnavailable: spec.maxUnavailable,
    minReadySeconds: spec.minReadySeconds,
    progressDeadlineSeconds: spec.progressDeadlineSeconds
  }
  let previous: DeploymentStatus | undefined
  let lastProgressAt = state.clock.now()
  while (!ctx.aborted()) {
    beforeSync?.()
    const result = syncDeployment({
      now: state.clock.now(),
      spec: rollout,
      newRS: cluster.view(cluster.current),
      oldRSs: cluster.sets.filter((rs) => rs !== cluster.current).map((rs) => cluster.view(rs)),
      lastProgressAt,
      ...(previous !== undefined && { previous })
    })
    previous = result.status
    lastProgressAt = result.lastProgressAt
    if (result.complete) {
      state.rolloutCompletedAt = state.clock.now()
      ctx.event('rollout-complete')
      return
    }
    if (result.deadlineExceeded) {
      return ctx.stuck(cluster.stuckPod(cluster.current), `no progress for progressDeadlineSeconds (${spec.progressDeadlineSeconds} s): ProgressDeadlineExceeded`)
    }
    for (const action of result.scale) {
      const rs = cluster.sets.find((s) => s.name === action.replicaSet)!
      rs.replicas = action.to
      ctx.event('scaled', `${rs.version} ${action.from} -> ${action.to}`)
    }
    await cluster.reconcile()
    await ctx.tick()
  }
}

/** Every pod deleted on the way, and whatever still runs outside the final ReplicaSet, must be gone before the end. */
export function markLeaving (ctx: ScenarioContext): void {
  for (const p of ctx.cluster.pods) if (p.terminating || !ctx.cluster.current.pods.includes(p)) ctx.leaving.add(p)
}
