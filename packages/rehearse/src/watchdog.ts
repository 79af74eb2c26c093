// The CLI's guard against orphans. Pods run in process groups of their own (so SIGKILL reaches whatever
// they start) and the rehearsal kills them when it ends; if the CLI itself dies first, two things kill
// those groups: an exit hook for an exit in the middle (a second Ctrl+C), and a watchdog process for a
// CLI that is itself killed (SIGKILL, or a signal nobody handles): it sees its stdin close and kills
// every group it was told about. Containers (the container mode) are removed the same two ways, by the
// run's label. Nothing here runs until the CLI starts it: the library has no process-wide side effects.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { RUN_LABEL } from './run-args.js'
import type { Socket } from 'node:net'

/**
 * Removes a run's containers with whichever engine holds them: `ps` by label, then `rm`. Its source is
 * also part of the watchdog's script, so it names nothing but `spawnSync` and `RUN_LABEL`.
 */
function sweepSync (run: string): void {
  for (const engine of ['podman', 'docker']) {
    const ps = spawnSync(engine, ['ps', '--all', '--quiet', '--filter', `label=${RUN_LABEL}=${run}`], { encoding: 'utf8', timeout: 30_000 })
    const ids = (ps.stdout ?? '').split('\n').filter((id) => id !== '')
    if (ids.length > 0) spawnSync(engine, ['rm', '--force', ...ids], { stdio: 'ignore', timeout: 60_000 })
  }
}

const WATCHDOG = `
const { spawnSync } = require('child_process')
const RUN_LABEL = ${JSON.stringify(RUN_LABEL)}
${sweepSync.toString()}
const groups = new Set()
const runs = new Set()
let buffer = ''
process.stdin.on('data', (chunk) => {
  buffer += chunk
  let end
  while ((end = buffer.indexOf('\\n')) >= 0) {
    const line = buffer.slice(0, end)
    buffer = buffer.slice(end + 1)
    if (line[0] === '=') { runs.add(line.slice(1)); continue }
    if (line[0] === '~') { runs.delete(line.slice(1)); continue }
    const pid = Number(line.slice(1))
    if (line[0] === '+') groups.add(pid)
    else groups.delete(pid)
  }
})
const killAll = () => {
  // A namespace's PID 1 first, so its unshare reaps it; then, a moment later, the whole group.
  for (const pid of groups) for (const child of children(pid)) { try { process.kill(child, 'SIGKILL') } catch {} }
  setTimeout(() => {
    for (const pid of groups) { try { process.kill(-pid, 'SIGKILL') } catch {} }
    for (const run of runs) sweepSync(run)
    process.exit(0)
  }, 100)
}
function children (pid) {
  try { return require('fs').readFileSync('/proc/' + pid + '/task/' + pid + '/children', 'utf8').trim().split(' ').filter(Boolean).map(Number) } catch { return [] }
}
process.stdin.on('end', killAll)
process.stdin.on('error', killAll)
process.on('SIGINT', () => {})
`

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
      child = spawn(process.execPath, ['-e', WATCHDOG], { stdio: ['pipe', 'ignore', 'ignore'], detached: true })
      child.on('error', () => {})
      child.stdin!.on('error', () => {})
      child.unref()
      ;(child.stdin as unknown as Socket).unref()
    }
    child.stdin!.write(line + '\n')
  }
  process.on('exit', () => {
    for (const pid of groups) {
      // As in the watchdog: a namespace's PID 1, reaped by its unshare; a plain process's group at once.
      let kids: number[] = []
      try { kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ').filter((k) => k !== '').map(Number) } catch {}
      for (const target of kids.length > 0 ? kids : [-pid]) try { process.kill(target, 'SIGKILL') } catch {}
    }
    for (const run of runs) sweepSync(run)
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
