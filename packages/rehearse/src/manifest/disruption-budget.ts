// The PodDisruptionBudget that guards the pods during evictions (the node-drain scenario).
import { parseIntOrPercent, type IntOrPercent } from '@zerodown/deploy/rollout'
import { isObj, type Obj } from '../load/fields.js'
import type { Fail } from './fields.js'

/** A PodDisruptionBudget: exactly one of minAvailable and maxUnavailable. */
export type DisruptionBudget = { name: string } & ({ minAvailable: IntOrPercent } | { maxUnavailable: IntOrPercent })

/** The first PodDisruptionBudget in the namespace whose selector's matchLabels all sit on the pod template. */
export function podDisruptionBudget (objects: unknown[], podMeta: Obj, namespace: string, fail: Fail): { podDisruptionBudget?: DisruptionBudget } {
  const labels = isObj(podMeta.labels) ? podMeta.labels : {}
  for (const o of objects) {
    if (!isObj(o) || o.kind !== 'PodDisruptionBudget' || !isObj(o.spec)) continue
    const meta = isObj(o.metadata) ? o.metadata : {}
    if ((typeof meta.namespace === 'string' ? meta.namespace : namespace) !== namespace) continue
    const selector = isObj(o.spec.selector) && isObj(o.spec.selector.matchLabels) ? o.spec.selector.matchLabels : {}
    if (!Object.entries(selector).every(([k, v]) => labels[k] === v)) continue
    const name = typeof meta.name === 'string' ? meta.name : 'pdb'
    const field = (key: 'minAvailable' | 'maxUnavailable'): Partial<Record<typeof key, IntOrPercent>> => {
      const value = (o.spec as Obj)[key]
      if (value === undefined || value === null) return {}
      return { [key]: parseIntOrPercent(value) ?? fail(`PodDisruptionBudget ${name} spec.${key} must be an integer >= 0 or a percentage like "50%", got ${JSON.stringify(value)}`) }
    }
    const budget = { name, ...field('minAvailable'), ...field('maxUnavailable') }
    if ((budget.minAvailable === undefined) === (budget.maxUnavailable === undefined)) fail(`PodDisruptionBudget ${name} must set one of minAvailable and maxUnavailable`)
    return { podDisruptionBudget: budget as DisruptionBudget }
  }
  return {}
}
