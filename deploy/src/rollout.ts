// How Kubernetes resolves maxSurge and maxUnavailable for a replica count (the deployment controller's rules).
// The one implementation of this arithmetic: the chart's lint uses it, and @zerodown/rehearse imports it
// through the `@zerodown/deploy/rollout` subpath, which loads this file alone (no schema, no models).

/** `maxSurge`, `maxUnavailable` (and a PodDisruptionBudget's fields) as written: an integer or a percentage like `"25%"`. */
export type IntOrPercent = number | string

const PERCENT = /^(\d+)%$/

/** Parses an int-or-percent value; `undefined` when it is neither a non-negative integer nor "N%". */
export function parseIntOrPercent (value: unknown): IntOrPercent | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined
  if (typeof value === 'string' && PERCENT.test(value)) return value
  return undefined
}

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
