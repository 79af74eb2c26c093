// `kubectl rollout restart`: a new annotation on the template, so a new ReplicaSet of the same version
// replaces every pod, rolled out like any template change.
import { markLeaving, rolloutLoop } from '../cluster/deployment.js'
import type { ScenarioRun } from './context.js'

export const restart: ScenarioRun = async (ctx) => {
  const { oldVersion } = ctx.state.opts
  ctx.cluster.current = ctx.cluster.replicaSet(oldVersion, 0)
  ctx.event('rollout-started', `kubectl rollout restart: a new ReplicaSet of ${oldVersion}`)
  await rolloutLoop(ctx)
  markLeaving(ctx)
}
