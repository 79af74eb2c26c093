import type { CheckResult, CheckRunner } from './checks.js'
import type { LifecycleState } from './lifecycle.js'
import type { ProbeKind } from './options.js'

export interface ProbeBody {
  status: 'ok' | 'fail'
  state?: LifecycleState
  underPressure?: boolean
  checks?: CheckResult[]
}

export interface ProbeAnswer {
  statusCode: 200 | 503
  body: ProbeBody
}

export interface Answerer {
  answer (kind: ProbeKind, verbose: boolean): Promise<ProbeAnswer>
}

const ok = (verbose: boolean, details: Omit<ProbeBody, 'status'>): ProbeAnswer =>
  ({ statusCode: 200, body: verbose ? { status: 'ok', ...details } : { status: 'ok' } })
const fail = (verbose: boolean, details: Omit<ProbeBody, 'status'>): ProbeAnswer =>
  ({ statusCode: 503, body: verbose ? { status: 'fail', ...details } : { status: 'fail' } })

/**
 * The three answers. Liveness: the event loop ran this code, so 200, always. Startup: 200 once no
 * longer starting. Readiness: 200 only when ready, not under pressure and every critical check
 * passes; checks run only when the rest already says ready, so a draining pod does no check work.
 */
export function createAnswerer (lifecycle: { readonly state: LifecycleState }, checks: CheckRunner, underPressure: () => boolean): Answerer {
  async function readiness (verbose: boolean): Promise<ProbeAnswer> {
    const state = lifecycle.state
    const pressure = underPressure()
    if (state !== 'ready' || pressure) return fail(verbose, { state, underPressure: pressure })
    if (checks.size === 0) return ok(verbose, { state, underPressure: pressure, checks: [] })
    const results = await checks.runAll()
    // Draining may have begun while the checks ran: the answer must say so at once.
    const after = lifecycle.state
    const passed = after === 'ready' && results.every((r) => r.status === 'pass' || !r.critical)
    return (passed ? ok : fail)(verbose, { state: after, underPressure: pressure, checks: results })
  }

  return {
    async answer (kind, verbose) {
      if (kind === 'readiness') return readiness(verbose)
      const state = lifecycle.state
      if (kind === 'liveness') return ok(verbose, { state })
      return (state === 'starting' ? fail : ok)(verbose, { state })
    }
  }
}
