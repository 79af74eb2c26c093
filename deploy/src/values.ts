// The chart's values: their TypeScript shape, the documented defaults (values.yaml) and Helm-like merging.
import { readFileSync } from 'node:fs'
import type { IHorizontalPodAutoscalerBehavior } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscalerBehavior'
import type { IMetricSpec } from 'kubernetes-models/autoscaling/v2/MetricSpec'
import type { IAffinity } from 'kubernetes-models/v1/Affinity'
import type { IContainer } from 'kubernetes-models/v1/Container'
import type { IEnvFromSource } from 'kubernetes-models/v1/EnvFromSource'
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar'
import type { IHostAlias } from 'kubernetes-models/v1/HostAlias'
import type { IToleration } from 'kubernetes-models/v1/Toleration'
import type { IVolume } from 'kubernetes-models/v1/Volume'
import type { IVolumeMount } from 'kubernetes-models/v1/VolumeMount'
import type { IHTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute'
import { parse } from 'yaml'
import type { IntOrPercent } from './rollout.js'

export type { IntOrPercent }

export interface ProbeValues {
  path: string
  periodSeconds: number
  timeoutSeconds: number
  failureThreshold: number
}

/** Every value of the chart; values.yaml documents each one where it is declared. */
export interface Values {
  nameOverride: string
  fullnameOverride: string
  component: string
  partOf: string
  commonLabels: Record<string, string>
  commonAnnotations: Record<string, string>
  image: { repository: string, tag: string, digest: string, pullPolicy: 'Always' | 'IfNotPresent' | 'Never' }
  imagePullSecrets: string[]
  replicas: number
  rollout: {
    maxSurge: IntOrPercent
    maxUnavailable: IntOrPercent
    minReadySeconds: number
    progressDeadlineSeconds: number
    revisionHistoryLimit: number
  }
  container: {
    port: number
    command: string[]
    args: string[]
    env: Record<string, string>
    extraEnv: IEnvVar[]
    envFrom: IEnvFromSource[]
    extraVolumeMounts: IVolumeMount[]
    resources: { requests?: { cpu?: string, memory?: string }, limits?: { cpu?: string, memory?: string } }
    tmpSizeLimit: string
  }
  extraVolumes: IVolume[]
  initContainers: IContainer[]
  sidecars: IContainer[]
  config: Record<string, string>
  probes: {
    port: number | null
    checkTimeoutMs: number
    startup: ProbeValues
    readiness: ProbeValues & { successThreshold: number }
    liveness: ProbeValues
  }
  shutdown: {
    propagationSeconds: number
    preStop: { sleepSeconds: number, mode: 'auto' | 'sleep' | 'exec' }
    drainDelaySeconds: number
    timeoutSeconds: number
    marginSeconds: number
  }
  terminationGracePeriodSeconds: number
  securityContext: {
    runAsUser: number
    runAsGroup: number
    fsGroup: number
    runAsNonRoot: boolean
    readOnlyRootFilesystem: boolean
    allowPrivilegeEscalation: boolean
    addCapabilities: string[]
    seccompProfile: 'RuntimeDefault' | 'Localhost' | 'Unconfined'
  }
  podSecurityStandard: 'restricted' | 'baseline' | 'privileged'
  serviceAccount: { create: boolean, name: string, annotations: Record<string, string> }
  service: {
    type: 'ClusterIP' | 'NodePort' | 'LoadBalancer'
    port: number
    nodePort: number | null
    annotations: Record<string, string>
  }
  podDisruptionBudget: { enabled: boolean, maxUnavailable: IntOrPercent }
  autoscaling: {
    enabled: boolean
    minReplicas: number
    maxReplicas: number
    /** Absent when removed with null, which means the same as null. */
    targetCPUUtilizationPercentage?: number | null
    targetMemoryUtilizationPercentage?: number | null
    metrics: IMetricSpec[]
    /** Absent when removed with null: Kubernetes' own behavior. */
    behavior?: IHorizontalPodAutoscalerBehavior
  }
  networkPolicy: { enabled: boolean, from: Array<Record<string, unknown>> }
  ingress: {
    enabled: boolean
    className: string
    hosts: Array<{ host: string, paths: Array<{ path: string, pathType: 'Prefix' | 'Exact' | 'ImplementationSpecific' }> }>
    tls: Array<{ secretName: string, hosts: string[] }>
    annotations: Record<string, string>
  }
  gateway: {
    enabled: boolean
    parentRefs: NonNullable<IHTTPRoute['spec']>['parentRefs'] & object
    hostnames: string[]
    rules: Array<Omit<NonNullable<NonNullable<IHTTPRoute['spec']>['rules']>[number], 'backendRefs'>>
    annotations: Record<string, string>
  }
  topologySpread: { zones: boolean, nodes: boolean }
  nodeSelector: Record<string, string>
  tolerations: IToleration[]
  affinity: IAffinity
  priorityClassName: string
  hostAliases: IHostAlias[]
  podLabels: Record<string, string>
  podAnnotations: Record<string, string>
}

/** Values a user supplies: any part of {@link Values}, merged over the defaults. */
export type ValuesOverride = DeepPartial<Values>
type DeepPartial<T> = T extends unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> | null } : T

const chartRoot = new URL('../', import.meta.url)

/** A fresh copy of the defaults declared in the chart's values.yaml. */
export function defaultValues (): Values {
  return parse(readFileSync(new URL('values.yaml', chartRoot), 'utf8')) as Values
}

export function isPlainObject (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Merges `override` over `base` like Helm merges values files and --set: maps merge key by key,
 * anything else (lists and null included) replaces; `undefined` leaves the base alone. Neither
 * input is changed. A null stays, so that {@link withDefaults} can remove the default under it.
 */
export function mergeValues (base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return structuredClone(override)
  const merged: Record<string, unknown> = structuredClone(base)
  for (const [key, value] of Object.entries(override)) {
    if (value === undefined) continue // an optional property left out, as TypeScript callers write it
    const next = Object.hasOwn(merged, key) ? mergeValues(merged[key], value) : structuredClone(value)
    Object.defineProperty(merged, key, { value: next, enumerable: true, writable: true, configurable: true })
  }
  return merged
}

/**
 * The overrides over the chart's defaults, like Helm's coalesce: as {@link mergeValues}, except that
 * `null` removes the default under it (a default that is itself null, like `probes.port`, stays null).
 */
export function withDefaults (defaults: unknown, overrides: unknown): unknown {
  if (!isPlainObject(defaults) || !isPlainObject(overrides)) return structuredClone(overrides)
  const merged: Record<string, unknown> = structuredClone(defaults)
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue
    const has = Object.hasOwn(merged, key)
    if (value === null && has && merged[key] !== null) {
      Reflect.deleteProperty(merged, key)
      continue
    }
    const next = has ? withDefaults(merged[key], value) : structuredClone(value)
    Object.defineProperty(merged, key, { value: next, enumerable: true, writable: true, configurable: true })
  }
  return merged
}
