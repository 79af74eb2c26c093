// Live progress on a terminal: pods with version and state, request and failure counters, redrawn in place.
import type { RehearsalState } from '../state.js'

/** What `onProgress` is told about twice a second. */
export interface Progress {
  at: number
  phase: 'starting' | 'warmup' | 'rollout' | 'draining' | 'tail' | 'done'
  pods: Array<{ name: string, version: string, state: string, restarts: number }>
  requests: number
  failures: number
  byVersion: Record<string, number>
}

/** The state of a rehearsal as `onProgress` is told it. */
export function progressOf (state: RehearsalState, phase: Progress['phase']): Progress {
  const records = state.load?.records ?? []
  const byVersion: Record<string, number> = {}
  let failures = 0
  for (const r of records) {
    if (r.outcome !== 'ok') failures++
    else if (r.version !== undefined) byVersion[r.version] = (byVersion[r.version] ?? 0) + 1
  }
  return {
    at: state.clock.now(),
    phase,
    pods: state.allPods.filter((p) => p.phase !== 'terminated').map((p) => ({
      name: p.name,
      version: p.version,
      restarts: p.restarts,
      state: p.terminating ? 'terminating' : p.ready ? 'ready' : p.phase === 'waiting' ? 'waiting (back-off)' : 'starting'
    })),
    requests: records.length,
    failures,
    byVersion
  }
}

export function createProgressPrinter (stream: NodeJS.WriteStream): (p: Progress) => void {
  let drawn = 0
  return (p) => {
    const versions = Object.entries(p.byVersion).map(([v, n]) => `${v}: ${n}`).join('  ')
    const lines = [
      `[${(p.at / 1000).toFixed(1)} s] ${p.phase}  requests ${p.requests}  failed ${p.failures}  ${versions}`,
      ...p.pods.map((pod) => `  ${pod.name}  ${pod.version}  ${pod.state}${pod.restarts > 0 ? `  restarts ${pod.restarts}` : ''}`)
    ]
    // Move up over the previous drawing and clear it.
    if (drawn > 0) stream.write(`\x1b[${drawn}A\x1b[0J`)
    stream.write(lines.join('\n') + '\n')
    drawn = lines.length
  }
}
