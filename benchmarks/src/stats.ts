import { median } from '@zerodown/testkit'

/** A figure measured several times: what the report prints as "median (min–max)". */
export interface Summary {
  median: number
  min: number
  max: number
  n: number
}

export function summarize (values: number[]): Summary {
  if (values.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, n: 0 }
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), n: values.length }
}

export function percentile (sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!
}
