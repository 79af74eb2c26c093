// `kubectl drain`: every pod on the node is evicted through the PodDisruptionBudget (maxUnavailable 1
// without one), retried until allowed; the ReplicaSet replaces each evicted pod elsewhere, no surge.
import { disruptionsAllowed, type Budget } from '../cluster/controller.js'
import type { ScenarioRun } from './context.js'

export const nodeDrain: ScenarioRun = async (ctx) => {
  const { cluster, state } = ctx
  const spec = state.opts.deployment
  const pdb = spec.podDisruptionBudget
  const budget: Budget = pdb === undefined ? { maxUnavailable: 1 } : 'minAvailable' in pdb ? { minAvailable: pdb.minAvailable } : { maxUnavailable: pdb.maxUnavailable }
  const shown = `${'minAvailable' in budget ? `minAvailable ${budget.minAvailable}` : `maxUnavailable ${budget.maxUnavailable}`}${pdb === undefined ? ', no PodDisruptionBudget in the manifest' : ` (PodDisruptionBudget ${pdb.name})`}`
  const toEvict = cluster.current.pods.filter((p) => !p.terminating)
  ctx.event('rollout-started', `node drain: ${toEvict.length} pods to evict, ${shown}`)
  let progressAt = state.clock.now()
  while (!ctx.aborted()) {
    await cluster.reconcile()
    const healthy = cluster.current.pods.filter((p) => p.ready && !p.terminating).length
    const next = toEvict.find((p) => !p.terminating)
    if (next === undefined) {
      const available = cluster.current.pods.every((p) => p.terminating || state.clock.now() - (p.readySince ?? Infinity) >= spec.minReadySeconds * 1000)
      if (healthy === spec.replicas && available) {
        state.rolloutCompletedAt = state.clock.now()
        ctx.event('rollout-complete')
        return
      }
    } else if (disruptionsAllowed(budget, spec.replicas, healthy) > 0) {
      next.delete()
      ctx.leaving.add(next)
      progressAt = state.clock.now()
      ctx.event('evicted', next.name)
    }
    if (state.clock.now() - progressAt > spec.progressDeadlineSeconds * 1000) {
      return ctx.stuck(cluster.stuckPod(cluster.current), `the drain made no progress for progressDeadlineSeconds (${spec.progressDeadlineSeconds} s): the budget (${shown}) allowed no eviction`)
    }
    await ctx.tick()
  }
}
