// The HorizontalPodAutoscaler (optional): scales the Deployment on CPU, memory and any further metrics,
// scaling down slowly enough that a rollout's surge pods cannot shrink it.
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler'
import type { IMetricSpec } from 'kubernetes-models/autoscaling/v2/MetricSpec'
import { metadata, type TemplateContext } from './context.js'

const utilization = (name: 'cpu' | 'memory', averageUtilization: number | null | undefined): IMetricSpec[] =>
  averageUtilization === null || averageUtilization === undefined ? [] : [{ type: 'Resource', resource: { name, target: { type: 'Utilization', averageUtilization } } }]

export function horizontalPodAutoscaler (context: TemplateContext): IHorizontalPodAutoscaler {
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
  return { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: metadata(context), spec }
}
