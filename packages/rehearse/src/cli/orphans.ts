// Killing what a rehearsal leaves when the CLI dies first: process groups (a namespace's PID 1 first,
// so its unshare reaps it) and a container run's containers, found by their label. Shared by the CLI's
// exit hook and the watchdog process.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { RUN_LABEL } from '../runtime/run-args.js'

/** Removes a run's containers with whichever engine holds them: `ps` by label, then `rm`. */
export function sweepRun (run: string): void {
  for (const engine of ['podman', 'docker']) {
    const ps = spawnSync(engine, ['ps', '--all', '--quiet', '--filter', `label=${RUN_LABEL}=${run}`], { encoding: 'utf8', timeout: 30_000 })
    const ids = (ps.stdout ?? '').split('\n').filter((id) => id !== '')
    if (ids.length > 0) spawnSync(engine, ['rm', '--force', ...ids], { stdio: 'ignore', timeout: 60_000 })
  }
}

export function childrenOf (pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ').filter((k) => k !== '').map(Number)
  } catch {
    return []
  }
}

const kill = (pid: number): void => { try { process.kill(pid, 'SIGKILL') } catch {} }

/** A namespace's PID 1 (unshare's child), reaped by its unshare; a plain process's whole group. */
export function killPodProcess (pid: number): void {
  const kids = childrenOf(pid)
  for (const target of kids.length > 0 ? kids : [-pid]) kill(target)
}

/** Every group: PID 1 of each namespace first, then, a moment later, the groups themselves. */
export function killGroupsLater (groups: Iterable<number>, then: () => void): void {
  for (const pid of groups) for (const child of childrenOf(pid)) kill(child)
  setTimeout(() => {
    for (const pid of groups) kill(-pid)
    then()
  }, 100)
}
