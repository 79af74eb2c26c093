// Pods the kubelet had to SIGKILL when their grace period ran out: the app did not exit on the stop
// signal. In a container that is what happens when PID 1 is a shell or npm that does not forward
// SIGTERM, or an app without a SIGTERM handler: every request still open is cut, and the rehearsal
// fails even when none happened to be.
import type { PodEvent } from '../timeline.js'

export interface KilledAtGrace {
  pod: string
  version: string
  /** The stop signal it got and did not exit on. */
  signal: string
  graceSeconds: number
  /** SIGKILL, ms since the rehearsal started. */
  at: number
}

export function killedAtGrace (events: PodEvent[], versions: Map<string, string>, graceSeconds: number): KilledAtGrace[] {
  return events.filter((e) => e.kind === 'sigkill').map((kill) => {
    const stop = events.filter((e) => e.pod === kill.pod && e.kind === 'sigterm' && e.at <= kill.at).at(-1)
    return { pod: kill.pod, version: versions.get(kill.pod) ?? '', signal: stop?.detail?.split(' ')[0] ?? 'SIGTERM', graceSeconds, at: Math.round(kill.at) }
  })
}

/** In words a user understands. */
export function killedSentence (k: KilledAtGrace): string {
  return `pod ${k.pod} (${k.version}) did not exit on ${k.signal}: killed with SIGKILL at the end of the ${k.graceSeconds} s grace period; ` +
    `its app never received ${k.signal} (a shell or npm as PID 1 that does not forward it) or ignored it (no handler), so requests still open on it were cut`
}
