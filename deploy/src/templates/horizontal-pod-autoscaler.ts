// The HorizontalPodAutoscaler (optional): scales the Deployment on average CPU use.
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler'
import { metadata, type TemplateContext } from './context.js'

export function horizontalPodAutoscaler (context: TemplateContext): IHorizontalPodAutoscaler {
  const { autoscaling } = context.values
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: metadata(context),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: context.names.fullname },
      minReplicas: autoscaling.minReplicas,
      maxReplicas: autoscaling.maxReplicas,
      metrics: [{
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: autoscaling.targetCPUUtilizationPercentage } }
      }]
    }
  }
}
