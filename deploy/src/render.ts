// values -> checked values -> Kubernetes objects -> every problem, or the objects.
import type { IHTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute'
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment'
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler'
import type { IHorizontalPodAutoscaler as IHorizontalPodAutoscalerV2beta2 } from 'kubernetes-models/autoscaling/v2beta2/HorizontalPodAutoscaler'
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress'
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy'
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget'
import type { IPodDisruptionBudget as IPodDisruptionBudgetV1beta1 } from 'kubernetes-models/policy/v1beta1/PodDisruptionBudget'
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap'
import type { IService } from 'kubernetes-models/v1/Service'
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount'
import { chartMetadata } from './chart.js'
import { DeployInvalidArgumentError, DeployInvalidValuesError } from './errors.js'
import { parseKubeVersion, type KubeVersion } from './kube-version.js'
import { checkObjectName } from './name-rules.js'
import { names } from './names.js'
import { checkOpenApi } from './openapi.js'
import { podSecurityProblems } from './pod-security.js'
import type { Problem } from './problem.js'
import { checkRules, checkTarget } from './rules.js'
import { checkSchema } from './schema.js'
import { sizeProblems } from './size-limits.js'
import { configMap } from './templates/config-map.js'
import type { TemplateContext } from './templates/context.js'
import { deployment } from './templates/deployment.js'
import { httpRoute } from './templates/http-route.js'
import { horizontalPodAutoscaler } from './templates/horizontal-pod-autoscaler.js'
import { ingress } from './templates/ingress.js'
import { networkPolicy } from './templates/network-policy.js'
import { podDisruptionBudget } from './templates/pod-disruption-budget.js'
import { service } from './templates/service.js'
import { serviceAccount } from './templates/service-account.js'
import { defaultValues, withDefaults, type Values, type ValuesOverride } from './values.js'

export type KubernetesObject =
  | IServiceAccount
  | IConfigMap
  | IService
  | IDeployment
  | IHorizontalPodAutoscaler
  | IHorizontalPodAutoscalerV2beta2
  | IPodDisruptionBudget
  | IPodDisruptionBudgetV1beta1
  | INetworkPolicy
  | IIngress
  | IHTTPRoute

export interface RenderOptions {
  /** The release name, like `helm template RELEASE`: the instance label and part of every name. Default: the chart name. */
  release?: string
  /** Sets metadata.namespace on every object. Default: none, so `kubectl -n` or Kustomize decide. */
  namespace?: string
  /**
   * The Kubernetes version to render for, like `helm template --kube-version`: `1.20`, `v1.29.4`. It
   * picks the preStop form and the PodDisruptionBudget and autoscaler API versions, leaves out fields
   * the target lacks, and lint refuses values that need a newer one. Default: the current Kubernetes.
   */
  kubeVersion?: string
}

export interface CheckResult {
  /** The defaults with the overrides merged in (typed only when the schema passed). */
  values: Values
  /** The rendered objects, in apply order; empty when the values break the schema. */
  objects: KubernetesObject[]
  /** Every problem: schema errors first (then nothing is rendered), else rules and OpenAPI errors. */
  problems: Problem[]
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/

interface ResolvedRenderOptions {
  release: string
  namespace: string | undefined
  kube: KubeVersion | undefined
}

function resolveOptions (options: RenderOptions): ResolvedRenderOptions {
  const release = options.release ?? chartMetadata().name
  if (!DNS_LABEL.test(release) || release.length > 53) {
    throw new DeployInvalidArgumentError('release name', 'at most 53 lowercase letters, digits and "-", starting and ending with a letter or digit', JSON.stringify(release))
  }
  const namespace = options.namespace
  if (namespace !== undefined && (!DNS_LABEL.test(namespace) || namespace.length > 63)) {
    throw new DeployInvalidArgumentError('namespace', 'a DNS label: at most 63 lowercase letters, digits and "-"', JSON.stringify(namespace))
  }
  const kube = options.kubeVersion === undefined ? undefined : parseKubeVersion(options.kubeVersion)
  return { release, namespace, kube }
}

/** The chart's objects for checked values, in the order `kubectl apply` should create them. */
export function renderObjects (values: Values, options: RenderOptions = {}): KubernetesObject[] {
  const { release, namespace, kube } = resolveOptions(options)
  const context: TemplateContext = { values, names: names(release, chartMetadata().name, values), namespace, kube }
  const objects: KubernetesObject[] = []
  if (values.serviceAccount.create) objects.push(serviceAccount(context))
  if (Object.keys(values.config).length > 0) objects.push(configMap(context))
  objects.push(service(context), deployment(context))
  if (values.autoscaling.enabled) objects.push(horizontalPodAutoscaler(context))
  if (values.podDisruptionBudget.enabled) objects.push(podDisruptionBudget(context))
  if (values.networkPolicy.enabled) objects.push(networkPolicy(context))
  if (values.ingress.enabled) objects.push(ingress(context))
  if (values.gateway.enabled) objects.push(httpRoute(context))
  return objects
}

/** Merges the overrides over the defaults, checks them and renders: everything lint and render need. */
export function check (overrides: ValuesOverride = {}, options: RenderOptions = {}): CheckResult {
  const { kube } = resolveOptions(options)
  const values = withDefaults(defaultValues(), overrides) as Values
  const schemaProblems = checkSchema(values)
  if (schemaProblems.length > 0) return { values, objects: [], problems: schemaProblems }
  const objects = renderObjects(values, options)
  const ruleProblems = [...checkRules(values), ...checkTarget(values, kube), ...podSecurityProblems(values, objects), ...sizeProblems(objects), ...objects.flatMap(checkObjectName)]
  // A host name lint already refused is not reported again by the Gateway API schema's pattern.
  const reported = new Set(ruleProblems.map((problem) => problem.path))
  const openApiProblems = objects.flatMap(checkOpenApi).filter((problem) => {
    const hostname = /^HTTPRoute\/\S+ spec\.hostnames\.(\d+)$/.exec(problem.path)
    return hostname === null || !reported.has(`gateway.hostnames[${hostname[1] ?? ''}]`)
  })
  return { values, objects, problems: [...ruleProblems, ...openApiProblems] }
}

/** Every problem with the values (an empty list when they are fine). */
export function lint (overrides: ValuesOverride = {}, options: RenderOptions = {}): Problem[] {
  return check(overrides, options).problems
}

/**
 * The Kubernetes objects for these values merged over the chart's defaults.
 * Throws a DeployInvalidValuesError listing every problem when there is any.
 */
export function render (overrides: ValuesOverride = {}, options: RenderOptions = {}): KubernetesObject[] {
  const { objects, problems } = check(overrides, options)
  if (problems.length > 0) throw new DeployInvalidValuesError(problems)
  return objects
}
