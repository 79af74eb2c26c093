// Live progress on a terminal: pods with version and state, request and failure counters, redrawn in place.

/** What `onProgress` is told about twice a second. */
export interface Progress {
  at: number
  phase: 'starting' | 'warmup' | 'rollout' | 'draining' | 'tail' | 'done'
  pods: Array<{ name: string, version: string, state: string, restarts: number }>
  requests: number
  failures: number
  byVersion: Record<string, number>
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
