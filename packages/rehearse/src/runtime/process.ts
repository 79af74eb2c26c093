// One run of the container: the app's process, started as a container runtime would start it.
//
// In a container the app is PID 1 of its own PID namespace, and the kernel gives PID 1 no default
// signal action: a signal it has no handler for is ignored (R10). Where this machine allows it the
// process runs as PID 1 of a new PID namespace (`unshare --pid --fork`, through a user namespace when
// not root), so the kernel itself applies that rule; elsewhere it runs as a plain process and the
// result says so. Either way it has a process group of its own, so SIGKILL reaches whatever it started,
// as the runtime kills a container's whole cgroup.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { accessSync, constants, readFileSync } from 'node:fs'
import { delimiter, isAbsolute, join } from 'node:path'
import { killMarked, newMarker, POD_MARKER } from './marker.js'

/**
 * How PID 1 was reproduced: `pid-namespace` (a PID namespace, as root), `user-namespace` (a PID namespace
 * inside a user namespace, without root), or `host` (a plain process: a signal without handler kills it,
 * unlike in a container), or `container` (the container mode: the image's own PID 1 in a container engine).
 */
export type Pid1Model = ProcessPid1 | 'container'
export type ProcessPid1 = 'pid-namespace' | 'user-namespace' | 'host'

const PREFIX: Record<ProcessPid1, string[]> = {
  // --kill-child: the app dies with unshare, so a SIGKILL of the group never leaves it behind.
  'pid-namespace': ['unshare', '--pid', '--fork', '--kill-child'],
  'user-namespace': ['unshare', '--user', '--map-root-user', '--pid', '--fork', '--kill-child'],
  host: []
}

/** The best model this machine allows, found by trying it once. */
export function detectPid1Model (): ProcessPid1 {
  if (process.platform !== 'linux') return 'host'
  for (const model of ['pid-namespace', 'user-namespace'] as const) {
    const [file, ...args] = PREFIX[model]
    const run = spawnSync(file!, [...args, 'true'], { stdio: 'ignore', timeout: 5000 })
    if (run.status === 0) return model
  }
  return 'host'
}

export interface ContainerOptions {
  command: string[]
  cwd?: string
  env: Record<string, string>
  model: ProcessPid1
  onLine: (line: string) => void
}

export interface ContainerExit {
  code: number | null
  signal: NodeJS.Signals | null
}

export class Container {
  readonly child: ChildProcess
  readonly exited: Promise<ContainerExit>
  spawnError: Error | undefined
  private done = false
  /** SIGKILL sent: unshare reports its killed child as exit code 1, so the exit is told from this. */
  private killed = false
  /** On the host: the environment marker every process of this run carries. */
  private readonly marker: string | undefined

  constructor (private readonly opts: ContainerOptions) {
    // A command that cannot run fails to spawn as itself, so it is the same coded error in every model.
    const model = executable(opts.command[0]!, opts.cwd, opts.env.PATH) ? opts.model : 'host'
    const [file, ...args] = [...PREFIX[model], ...opts.command]
    // On the host a detached child leaves the process group: a marker finds it (marker.ts).
    this.marker = model === 'host' ? newMarker() : undefined
    const env = this.marker === undefined ? opts.env : { ...opts.env, [POD_MARKER]: this.marker }
    this.child = spawn(file!, args, { cwd: opts.cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env })
    // unshare's own complaint when it cannot mirror its child's death by SIGKILL is not the app's output.
    lines(this.child, (line) => { if (!line.startsWith('unshare: sigprocmask')) opts.onLine(line) })
    this.exited = new Promise((resolve) => {
      this.child.once('error', (err) => {
        this.spawnError = err
        opts.onLine(`cannot start ${opts.command.join(' ')}: ${err.message}`)
      })
      this.child.once('close', (code, signal) => {
        this.done = true
        // The container is gone: so is anything it started.
        this.killGroup()
        resolve(this.killed && opts.model !== 'host' ? { code: null, signal: 'SIGKILL' } : { code, signal })
      })
    })
  }

  /** The process group's id (the first process's pid); undefined when nothing started. */
  get pid (): number | undefined {
    return this.child.pid
  }

  get running (): boolean {
    return !this.done && this.child.exitCode === null && this.child.signalCode === null
  }

  /** Sends a stop signal to the app's own process: as PID 1 in a namespace, the kernel drops it unless the app handles it. */
  async signal (signal: NodeJS.Signals): Promise<void> {
    if (!this.running) return
    const pid = this.opts.model === 'host' ? this.child.pid : await this.appPid()
    if (pid === undefined) return
    try { process.kill(pid, signal) } catch {}
  }

  /** SIGKILL to the whole group: from outside its namespace even PID 1 cannot ignore it. */
  killGroup (): void {
    // No pid: the command never started. Never call process.kill(-undefined): that is the caller's group.
    const pid = this.child.pid
    if (pid === undefined || pid <= 0) return
    if (this.running) this.killed = true
    if (this.marker !== undefined) killMarked(this.marker)
    // The namespace's PID 1 first, so unshare reaps it and exits: killed together, it would be left to
    // this machine's init to reap, and some inits never do. The rest of the namespace dies with it.
    const app = this.opts.model === 'host' || !this.running ? undefined : childOf(pid)
    if (app !== undefined) {
      try { process.kill(app, 'SIGKILL') } catch {}
      return
    }
    try {
      process.kill(-pid, 'SIGKILL')
    } catch {
      if (this.running) this.child.kill('SIGKILL')
    }
  }

  /** The namespace's PID 1, unshare's only child, as this machine's pid; it appears a moment after spawn. */
  private async appPid (): Promise<number | undefined> {
    const parent = this.child.pid
    if (parent === undefined) return undefined
    for (let i = 0; i < 50 && this.running; i++) {
      const pid = childOf(parent)
      if (pid !== undefined) return pid
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    return undefined
  }
}

function executable (file: string, cwd = process.cwd(), path = ''): boolean {
  const candidates = file.includes('/') ? [isAbsolute(file) ? file : join(cwd, file)] : path.split(delimiter).filter((d) => d !== '').map((d) => join(d, file))
  return candidates.some((candidate) => {
    try {
      accessSync(candidate, constants.X_OK)
      return true
    } catch {
      return false
    }
  })
}

function childOf (parent: number): number | undefined {
  let children = ''
  try { children = readFileSync(`/proc/${parent}/task/${parent}/children`, 'utf8') } catch {}
  const pid = Number(children.trim().split(' ')[0])
  return pid > 0 ? pid : undefined
}

/** Calls onLine with each line the child writes to stdout or stderr. */
export function lines (child: ChildProcess, onLine: (line: string) => void): void {
  for (const stream of [child.stdout!, child.stderr!]) {
    let buffer = ''
    stream.setEncoding('utf8')
    stream.on('data', (chunk: string) => {
      buffer += chunk
      let end
      while ((end = buffer.indexOf('\n')) >= 0) {
        onLine(buffer.slice(0, end))
        buffer = buffer.slice(end + 1)
      }
    })
    stream.on('end', () => { if (buffer !== '') onLine(buffer) })
  }
}
