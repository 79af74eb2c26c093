// The CLI's guard against orphans. Pods run in process groups of their own (so SIGKILL reaches whatever
// they start) and the rehearsal kills them when it ends; if the CLI itself dies first, two things kill
// those groups: an exit hook for an exit in the middle (a second Ctrl+C), and the watchdog process
// (watchdog-process.ts) for a CLI that is itself killed (SIGKILL, or a signal nobody handles): it sees
// its stdin close and kills every group it was told about. Containers (the container mode) are removed
// the same two ways, by the run's label. Nothing here runs until the CLI starts it: the library has no
// process-wide side effects.
import { spawn, type ChildProcess } from 'node:child_process'
import type { Socket } from 'node:net'
import { fileURLToPath } from 'node:url'
import { killPodProcess, sweepRun } from './orphans.js'

const WATCHDOG = fileURLToPath(new URL('./watchdog-process.js', import.meta.url))

export interface Watchdog {
  /** Told each pod process group as it starts (`alive`) and as it ends; pass it as `onPodProcess`. */
  onPodProcess: (pid: number, alive: boolean) => void
  /** Told a container run's label value before it starts (`alive`) and once it is over (its containers removed). */
  onContainerRun: (runId: string, alive: boolean) => void
}

export function startWatchdog (): Watchdog {
  const groups = new Set<number>()
  const runs = new Set<string>()
  let child: ChildProcess | undefined
  const tell = (line: string): void => {
    if (child === undefined) {
      // Detached, so a Ctrl+C or a group kill aimed at the CLI does not take it down first.
      child = spawn(process.execPath, [WATCHDOG], { stdio: ['pipe', 'ignore', 'ignore'], detached: true })
      child.on('error', () => {})
      child.stdin!.on('error', () => {})
      child.unref()
      ;(child.stdin as unknown as Socket).unref()
    }
    child.stdin!.write(line + '\n')
  }
  process.on('exit', () => {
    for (const pid of groups) killPodProcess(pid)
    for (const run of runs) sweepRun(run)
  })
  return {
    onPodProcess: (pid, alive) => {
      if (alive) groups.add(pid)
      else groups.delete(pid)
      tell(`${alive ? '+' : '-'}${pid}`)
    },
    onContainerRun: (runId, alive) => {
      if (alive) runs.add(runId)
      else runs.delete(runId)
      tell(`${alive ? '=' : '~'}${runId}`)
    }
  }
}
