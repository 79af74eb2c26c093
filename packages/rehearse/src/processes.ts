// Every child process the rehearsal starts, so none outlives it: on exit, each process group is killed.
import type { ChildProcess } from 'node:child_process'

const children = new Set<ChildProcess>()
let hooked = false

function killAll (): void {
  for (const child of children) {
    if (child.pid === undefined || child.pid <= 0) continue
    try {
      process.kill(-child.pid, 'SIGKILL')
    } catch {
      try { child.kill('SIGKILL') } catch {}
    }
  }
  children.clear()
}

export function track (child: ChildProcess): void {
  children.add(child)
  if (!hooked) {
    hooked = true
    process.on('exit', killAll)
  }
}

export function untrack (child: ChildProcess): void {
  children.delete(child)
}
