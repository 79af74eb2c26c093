// `kubectl rollout undo` once half the replicas run the new version: the old template becomes the
// Deployment's current one again, and its ReplicaSet scales back up while the new one scales down.
import { markLeaving, rolloutLoop } from '../cluster/deployment.js'
import type { ScenarioRun } from './context.js'

export const rollback: ScenarioRun = async (ctx) => {
  const { cluster } = ctx
  const { oldVersion, newVersion, deployment } = ctx.state.opts
  const old = cluster.current
  cluster.current = cluster.replicaSet(newVersion, 0)
  ctx.event('rollout-started', `${oldVersion} -> ${newVersion}`)
  const half = Math.ceil(deployment.replicas / 2)
  await rolloutLoop(ctx, () => {
    if (cluster.current === old || cluster.current.pods.filter((p) => p.ready && !p.terminating).length < half) return
    ctx.event('rolled-back', `kubectl rollout undo with ${half} of ${deployment.replicas} on ${newVersion}: the ${oldVersion} template is the new one again`)
    cluster.current = old
  })
  markLeaving(ctx)
}
