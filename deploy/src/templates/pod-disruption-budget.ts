// The PodDisruptionBudget: node drains and other voluntary evictions take pods down a few at a time.
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget'
import { metadata, type TemplateContext } from './context.js'

export function podDisruptionBudget (context: TemplateContext): IPodDisruptionBudget {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: metadata(context),
    spec: {
      maxUnavailable: context.values.podDisruptionBudget.maxUnavailable,
      selector: { matchLabels: { ...context.names.selector } }
    }
  }
}
