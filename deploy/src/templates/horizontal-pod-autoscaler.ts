// The HorizontalPodAutoscaler (optional): scales the Deployment on CPU, memory and any further metrics,
// scaling down slowly enough that a rollout's surge pods cannot shrink it.
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler'
import type { IMetricSpec } from 'kubernetes-models/autoscaling/v2/MetricSpec'
import type { IHorizontalPodAutoscaler as IHorizontalPodAutoscalerV2beta2 } from 'kubernetes-models/autoscaling/v2beta2/HorizontalPodAutoscaler'
import { supports } from '../kube-version.js'
import { metadata, type TemplateContext } from './context.js'

const utilization = (name: 'cpu' | 'memory', averageUtilization: number | null | undefined): IMetricSpec[] =>
  averageUtilization === null || averageUtilization === undefined ? [] : [{ type: 'Resource', resource: { name, target: { type: 'Utilization', averageUtilization } } }]

/** autoscaling/v2 from Kubernetes 1.23; the same fields as autoscaling/v2beta2 before. */
export function horizontalPodAutoscaler (context: TemplateContext): IHorizontalPodAutoscaler | IHorizontalPodAutoscalerV2beta2 {
  const { autoscaling } = context.values
  const spec: NonNullable<IHorizontalPodAutoscaler['spec']> = {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: context.names.fullname },
    minReplicas: autoscaling.minReplicas,
    maxReplicas: autoscaling.maxReplicas,
    metrics: [
      ...utilization('cpu', autoscaling.targetCPUUtilizationPercentage),
      ...utilization('memory', autoscaling.targetMemoryUtilizationPercentage),
      ...structuredClone(autoscaling.metrics)
    ]
  }
  if (autoscaling.behavior !== undefined && Object.keys(autoscaling.behavior).length > 0) spec.behavior = structuredClone(autoscaling.behavior)
  return supports(context.kube, 'autoscalingV2')
    ? { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: metadata(context), spec }
    : { apiVersion: 'autoscaling/v2beta2', kind: 'HorizontalPodAutoscaler', metadata: metadata(context), spec: spec as NonNullable<IHorizontalPodAutoscalerV2beta2['spec']> }
}
