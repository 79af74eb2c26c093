// The rollout's safety margin: rehearse at increasing removal delays, from the configured one upward
// in steps, until one fails or the runs run out; the largest delay that passed is the margin.
import { RehearseInvalidOptionError } from './errors.js'
import { resolveOptions, type RehearseOptions } from './options.js'
import { rehearse } from './rehearsal.js'
import { describe } from './load/load-file.js'
import type { RehearsalResult, SweepSummary } from './report/summary.js'

export interface SweepOptions {
  /** First removal delay. Default: the rehearsal's own (removeDelayMs, else the propagation delay). */
  fromMs?: number
  /** Added at each run. Default 500 ms. */
  stepMs?: number
  /** At most this many rehearsals. Default 8. */
  maxRuns?: number
}

export const SWEEP_DEFAULTS = { stepMs: 500, maxRuns: 8 } as const

/**
 * Returns the rehearsal at the margin (the largest removal delay that passed) with `sweep` filled in,
 * or the first one when none passed.
 */
export async function sweep (options: RehearseOptions, s: SweepOptions = {}): Promise<RehearsalResult> {
  const stepMs = s.stepMs ?? SWEEP_DEFAULTS.stepMs
  const maxRuns = s.maxRuns ?? SWEEP_DEFAULTS.maxRuns
  if (!(typeof stepMs === 'number' && Number.isFinite(stepMs) && stepMs > 0)) throw new RehearseInvalidOptionError('sweep.stepMs', 'a number of milliseconds > 0', describe(stepMs))
  if (!(Number.isInteger(maxRuns) && maxRuns >= 1 && maxRuns <= 50)) throw new RehearseInvalidOptionError('sweep.maxRuns', 'an integer from 1 to 50', describe(maxRuns))
  if (s.fromMs !== undefined && !(typeof s.fromMs === 'number' && Number.isFinite(s.fromMs) && s.fromMs >= 0)) throw new RehearseInvalidOptionError('sweep.fromMs', 'a number of milliseconds >= 0', describe(s.fromMs))
  const fromMs = s.fromMs ?? resolveOptions(options).removeDelayMs
  const runs: SweepSummary['runs'] = []
  let margin: RehearsalResult | undefined
  let first: RehearsalResult | undefined
  let stoppedBy: SweepSummary['stoppedBy'] = 'max-runs'
  for (let i = 0; i < maxRuns; i++) {
    const removeDelayMs = fromMs + i * stepMs
    const result = await rehearse({ ...options, removeDelayMs })
    first ??= result
    runs.push({ removeDelayMs, ok: result.ok, failed: result.totals.failed, outcome: result.outcome })
    if (result.outcome === 'aborted') { stoppedBy = 'aborted'; break }
    if (!result.ok) { stoppedBy = 'failure'; break }
    margin = result
  }
  const summary: SweepSummary = { runs, stoppedBy, ...(margin !== undefined && { marginMs: margin.traffic.removeDelayMs }) }
  return { ...(margin ?? first!), sweep: summary }
}
