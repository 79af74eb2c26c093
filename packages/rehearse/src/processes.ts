// Every child process the rehearsal starts, so none outlives it. Pods run in process groups of their
// own (so SIGKILL reaches whatever they start); two things kill those groups when the rehearsal ends:
// an exit hook for a normal end, and a watchdog process for a rehearsal that is itself killed
// (SIGKILL, or a signal nobody handles): the watchdog sees its stdin pipe close and kills every group.
import { spawn, type ChildProcess } from 'node:child_process'
import type { Socket } from 'node:net'

const children = new Set<ChildProcess>()
let watchdog: ChildProcess | undefined

const WATCHDOG = `
const groups = new Set()
let buffer = ''
process.stdin.on('data', (chunk) => {
  buffer += chunk
  let end
  while ((end = buffer.indexOf('\\n')) >= 0) {
    const line = buffer.slice(0, end)
    buffer = buffer.slice(end + 1)
    const pid = Number(line.slice(1))
    if (line[0] === '+') groups.add(pid)
    else groups.delete(pid)
  }
})
const killAll = () => {
  for (const pid of groups) { try { process.kill(-pid, 'SIGKILL') } catch {} }
  process.exit(0)
}
process.stdin.on('end', killAll)
process.stdin.on('error', killAll)
process.on('SIGINT', () => {})
`

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

function tell (line: string): void {
  if (watchdog === undefined) {
    // Detached, so a Ctrl+C or a group kill aimed at the rehearsal does not take it down first.
    watchdog = spawn(process.execPath, ['-e', WATCHDOG], { stdio: ['pipe', 'ignore', 'ignore'], detached: true })
    watchdog.on('error', () => {})
    watchdog.stdin!.on('error', () => {})
    watchdog.unref()
    ;(watchdog.stdin as unknown as Socket).unref()
    process.on('exit', killAll)
  }
  watchdog.stdin!.write(line + '\n')
}

export function track (child: ChildProcess): void {
  children.add(child)
  if (child.pid !== undefined && child.pid > 0) tell(`+${child.pid}`)
}

export function untrack (child: ChildProcess): void {
  children.delete(child)
  if (child.pid !== undefined && child.pid > 0) tell(`-${child.pid}`)
}
