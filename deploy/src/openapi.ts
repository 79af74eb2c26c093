// Offline validation of rendered objects against the Kubernetes OpenAPI schema (kubernetes-models), and
// the HTTPRoute against the Gateway API v1 schema (@kubernetes-models/gateway-api).
import { HTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute'
import { Deployment } from 'kubernetes-models/apps/v1/Deployment'
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler'
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress'
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy'
import { HorizontalPodAutoscaler as HorizontalPodAutoscalerV2beta2 } from 'kubernetes-models/autoscaling/v2beta2/HorizontalPodAutoscaler'
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget'
import { PodDisruptionBudget as PodDisruptionBudgetV1beta1 } from 'kubernetes-models/policy/v1beta1/PodDisruptionBudget'
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap'
import { Service } from 'kubernetes-models/v1/Service'
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount'
import type { KubernetesObject } from './render.js'
import type { Problem } from './problem.js'

interface Validating { validate: () => void }
type ModelClass = new (data: never) => Validating

const MODELS: Record<string, ModelClass> = {
  'gateway.networking.k8s.io/v1/HTTPRoute': HTTPRoute as unknown as ModelClass,
  'apps/v1/Deployment': Deployment as unknown as ModelClass,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler as unknown as ModelClass,
  'autoscaling/v2beta2/HorizontalPodAutoscaler': HorizontalPodAutoscalerV2beta2 as unknown as ModelClass,
  'networking.k8s.io/v1/Ingress': Ingress as unknown as ModelClass,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy as unknown as ModelClass,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget as unknown as ModelClass,
  'policy/v1beta1/PodDisruptionBudget': PodDisruptionBudgetV1beta1 as unknown as ModelClass,
  'v1/ConfigMap': ConfigMap as unknown as ModelClass,
  'v1/Service': Service as unknown as ModelClass,
  'v1/ServiceAccount': ServiceAccount as unknown as ModelClass
}

interface SchemaError { instancePath?: string, message?: string }

/** Problems Kubernetes' own schema finds in one object, named `Kind/name path`. */
export function checkOpenApi (object: KubernetesObject): Problem[] {
  const where = `${object.kind}/${object.metadata?.name ?? '(unnamed)'}`
  const Model = MODELS[`${object.apiVersion}/${object.kind}`]
  if (Model === undefined) return [{ path: where, message: `no OpenAPI schema for ${object.apiVersion} ${object.kind}` }]
  try {
    new Model(structuredClone(object) as never).validate()
    return []
  } catch (err) {
    const errors = (err as { errors?: SchemaError[] }).errors
    if (!Array.isArray(errors)) return [{ path: where, message: (err as Error).message }]
    return errors.map((error) => ({
      path: `${where} ${(error.instancePath ?? '').split('/').filter(Boolean).join('.') || '(object)'}`,
      message: `${error.message ?? 'is invalid'} (${object.kind === 'HTTPRoute' ? 'Gateway API schema' : 'Kubernetes OpenAPI schema'})`
    }))
  }
}
