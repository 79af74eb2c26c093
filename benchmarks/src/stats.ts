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

/** Where the true median lies, with the confidence `coverage`, from the values measured. */
export interface MedianInterval {
  low: number
  high: number
  coverage: number
}

/**
 * A distribution-free confidence interval for the median: the k-th smallest and the k-th largest of
 * the n values, for the largest k whose coverage, 1 - 2 P(Binomial(n, 1/2) < k), is at least
 * `confidence`. None when there are too few values (fewer than 6 for 95%).
 */
export function medianInterval (values: number[], confidence = 0.95): MedianInterval | undefined {
  const n = values.length
  const sorted = [...values].sort((a, b) => a - b)
  let best: MedianInterval | undefined
  let pointMass = 0.5 ** n // P(B = k - 1), starting at P(B = 0)
  let below = 0 // P(B < k)
  for (let k = 1; k <= Math.floor(n / 2); k++) {
    below += pointMass
    const coverage = 1 - 2 * below
    if (coverage < confidence) break
    best = { low: sorted[k - 1]!, high: sorted[n - k]!, coverage }
    pointMass = pointMass * (n - k + 1) / k
  }
  return best
}
