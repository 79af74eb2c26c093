// The PodDisruptionBudget: node drains and other voluntary evictions take pods down a few at a time.
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget'
import type { IPodDisruptionBudget as IPodDisruptionBudgetV1beta1 } from 'kubernetes-models/policy/v1beta1/PodDisruptionBudget'
import { supports } from '../kube-version.js'
import { metadata, type TemplateContext } from './context.js'

/** policy/v1 from Kubernetes 1.21; the same object as policy/v1beta1 before. */
export function podDisruptionBudget (context: TemplateContext): IPodDisruptionBudget | IPodDisruptionBudgetV1beta1 {
  const spec = {
    maxUnavailable: context.values.podDisruptionBudget.maxUnavailable,
    selector: { matchLabels: { ...context.names.selector } }
  }
  return supports(context.kube, 'podDisruptionBudgetV1')
    ? { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: metadata(context), spec }
    : { apiVersion: 'policy/v1beta1', kind: 'PodDisruptionBudget', metadata: metadata(context), spec }
}
