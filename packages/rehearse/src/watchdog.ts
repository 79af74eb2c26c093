// The CLI's guard against orphans. Pods run in process groups of their own (so SIGKILL reaches whatever
// they start) and the rehearsal kills them when it ends; if the CLI itself dies first, two things kill
// those groups: an exit hook for an exit in the middle (a second Ctrl+C), and a watchdog process for a
// CLI that is itself killed (SIGKILL, or a signal nobody handles): it sees its stdin close and kills
// every group it was told about. Nothing here runs until the CLI starts it: the library has no
// process-wide side effects.
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import type { Socket } from 'node:net'

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
  // A namespace's PID 1 first, so its unshare reaps it; then, a moment later, the whole group.
  for (const pid of groups) for (const child of children(pid)) { try { process.kill(child, 'SIGKILL') } catch {} }
  setTimeout(() => {
    for (const pid of groups) { try { process.kill(-pid, 'SIGKILL') } catch {} }
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
}

export function startWatchdog (): Watchdog {
  const groups = new Set<number>()
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
  })
  return {
    onPodProcess: (pid, alive) => {
      if (alive) groups.add(pid)
      else groups.delete(pid)
      tell(`${alive ? '+' : '-'}${pid}`)
    }
  }
}
