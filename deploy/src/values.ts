// The chart's values: their TypeScript shape, the documented defaults (values.yaml) and Helm-like merging.
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'

export type IntOrPercent = number | string

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
    resources: { requests: { cpu?: string, memory?: string }, limits: { cpu?: string, memory?: string } }
    tmpSizeLimit: string
  }
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
    preStop: { sleepSeconds: number, mode: 'sleep' | 'exec' }
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
  serviceAccount: { create: boolean, name: string, annotations: Record<string, string> }
  service: {
    type: 'ClusterIP' | 'NodePort' | 'LoadBalancer'
    port: number
    nodePort: number | null
    annotations: Record<string, string>
  }
  podDisruptionBudget: { enabled: boolean, maxUnavailable: IntOrPercent }
  autoscaling: { enabled: boolean, minReplicas: number, maxReplicas: number, targetCPUUtilizationPercentage: number }
  networkPolicy: { enabled: boolean, from: Array<Record<string, unknown>> }
  ingress: {
    enabled: boolean
    className: string
    host: string
    path: string
    tlsSecretName: string
    annotations: Record<string, string>
  }
  topologySpread: { zones: boolean, nodes: boolean }
  nodeSelector: Record<string, string>
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
 * Merges `override` over `base` like Helm: maps merge key by key, anything else (lists included)
 * replaces; `undefined` leaves the base alone. Neither input is changed.
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
