// Reading the numbers of a manifest, each with a message naming the field when it is wrong.
import { parseIntOrPercent, type IntOrPercent } from '@zerodown/deploy/rollout'

export type Fail = (reason: string) => never

export class ManifestFields {
  constructor (readonly fail: Fail) {}

  int (value: unknown, field: string, fallback: number, min = 0): number {
    if (value === undefined || value === null) return fallback
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) this.fail(`${field} must be an integer >= ${min}, got ${JSON.stringify(value)}`)
    return value as number
  }

  /** Fractional seconds are allowed here so tests can rehearse in milliseconds; Kubernetes takes integers. */
  seconds (value: unknown, field: string, fallback: number, positive = false): number {
    if (value === undefined || value === null) return fallback
    if (typeof value !== 'number' || !(positive ? value > 0 : value >= 0)) this.fail(`${field} must be a number ${positive ? '> 0' : '>= 0'}, got ${JSON.stringify(value)}`)
    return value as number
  }

  intOrPercent (value: unknown, field: string): IntOrPercent {
    if (value === undefined || value === null) return '25%'
    return parseIntOrPercent(value) ?? this.fail(`${field} must be an integer >= 0 or a percentage like "25%", got ${JSON.stringify(value)}`)
  }
}
