// On the host (no PID namespace) a pod's processes share neither a namespace nor a cgroup, and a child
// that detaches (setsid, `detached: true`) leaves the pod's process group: killing the group would
// leave it running, maybe still listening. So every process of a host-mode pod carries a marker in
// its environment, which children inherit whatever group they join, and the pod's end kills every
// process that carries it.
import { readdirSync, readFileSync } from 'node:fs'

export const POD_MARKER = 'ZERODOWN_REHEARSE_POD'

let next = 0

/** A marker value of its own for one container run. */
export function newMarker (): string {
  return `${process.pid}-${++next}`
}

/** The processes that carry this marker (those of other users cannot be read, nor killed). */
export function markedPids (marker: string): number[] {
  const wanted = `${POD_MARKER}=${marker}\0`
  const pids: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').includes(wanted)) pids.push(Number(entry))
    } catch {}
  }
  return pids
}

export function killMarked (marker: string): void {
  if (process.platform !== 'linux') return
  for (const pid of markedPids(marker)) try { process.kill(pid, 'SIGKILL') } catch {}
}
