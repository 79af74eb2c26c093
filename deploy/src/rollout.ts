// How Kubernetes resolves maxSurge and maxUnavailable for a replica count (the deployment controller's rules).
import type { IntOrPercent } from './values.js'

/** An integer as given; a percentage of `replicas`, rounded up for surge and down for unavailable. */
export function resolveIntOrPercent (value: IntOrPercent, replicas: number, roundUp: boolean): number {
  if (typeof value === 'number') return value
  const scaled = (Number.parseInt(value, 10) * replicas) / 100
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled)
}

/** maxSurge and maxUnavailable for `replicas`; if both come to 0, Kubernetes makes unavailable 1. */
export function resolveRollout (maxSurge: IntOrPercent, maxUnavailable: IntOrPercent, replicas: number): { surge: number, unavailable: number } {
  const surge = resolveIntOrPercent(maxSurge, replicas, true)
  const unavailable = resolveIntOrPercent(maxUnavailable, replicas, false)
  return { surge, unavailable: surge === 0 && unavailable === 0 ? 1 : unavailable }
}
