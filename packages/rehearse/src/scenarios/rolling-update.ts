// The Deployment's template changes from oldVersion to newVersion: a new ReplicaSet, rolled out by the
// Deployment controller within maxSurge and maxUnavailable (R1, R2).
import { markLeaving, rolloutLoop } from '../cluster/deployment.js'
import type { ScenarioRun } from './context.js'

export const rollingUpdate: ScenarioRun = async (ctx) => {
  const { oldVersion, newVersion } = ctx.state.opts
  ctx.cluster.current = ctx.cluster.replicaSet(newVersion, 0)
  ctx.event('rollout-started', `${oldVersion} -> ${newVersion}`)
  await rolloutLoop(ctx)
  markLeaving(ctx)
}
