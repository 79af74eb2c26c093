// --compare: the app's rehearsal beside the naive baseline's, under the same rollout and load.
import type { RehearsalResult } from '../report/summary.js'

export interface Comparison {
  /** pass: the app is clean and the baseline failed under the same rollout and load. */
  verdict: 'pass' | 'fail' | 'inconclusive'
  reason: string
}

/** The answers the baseline gives: each request's status and median latency as the app showed them. */
export function baselineAnswers (app: RehearsalResult): string {
  return JSON.stringify(Object.fromEntries(app.byRequest.filter((q) => q.latencyP50Ms !== undefined)
    .map((q) => [`${q.method} ${q.path}`, { status: q.okStatus, ms: q.latencyP50Ms }])))
}

export function compare (app: RehearsalResult, baseline: RehearsalResult): Comparison {
  // A baseline that never rolled out under load shows nothing about the app: no win can be claimed.
  if (baseline.outcome !== 'complete' || baseline.totals.requests === 0) {
    const why = baseline.outcome !== 'complete' ? `its rollout is ${baseline.outcome}${baseline.stuck !== undefined ? ` (${baseline.stuck.reason})` : ''}` : 'it got no requests'
    return { verdict: 'inconclusive', reason: `the naive baseline could not be rehearsed: ${why}` }
  }
  if (!app.ok) return { verdict: 'fail', reason: 'the app itself failed its rehearsal' }
  if (baseline.ok) return { verdict: 'fail', reason: 'the naive baseline passed too: this rehearsal cannot tell a draining app from one that is not (try slower requests)' }
  return { verdict: 'pass', reason: `the app lost none of ${app.totals.requests} requests; the naive baseline lost ${baseline.totals.failed} of ${baseline.totals.requests}` }
}

export function sideBySide (app: RehearsalResult, baseline: RehearsalResult): string {
  const row = (label: string, a: string | number, b: string | number): string => `${label.padEnd(22)}${String(a).padEnd(16)}${b}\n`
  const duration = (r: RehearsalResult): string => `${((r.rollout.durationMs ?? 0) / 1000).toFixed(1)} s`
  return '\n' + row('', 'app', 'naive baseline') +
    row('rollout', app.outcome, baseline.outcome) +
    row('requests', app.totals.requests, baseline.totals.requests) +
    row('failed', app.totals.failed, baseline.totals.failed) +
    (['status', 'reset', 'refused', 'timeout'] as const).map((k) => row(`  ${k}`, app.failures[k], baseline.failures[k])).join('') +
    row('rollout duration', duration(app), duration(baseline))
}
