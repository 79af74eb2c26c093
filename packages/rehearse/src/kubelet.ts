// A kubelet for one pod: it owns one child process (the container), runs its probes, restarts it
// when liveness or startup fails or when it exits, and terminates it as Kubernetes does (R5, R6).
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import type { DeploymentSpec } from './manifest.js'
import { ProbeWorker, type ProbeKind } from './probe.js'
import { track, untrack } from './processes.js'
import type { Clock, PodEvent, PodEventKind } from './timeline.js'

export type PodPhase = 'running' | 'waiting' | 'terminating' | 'terminated'

export interface PodOptions {
  name: string
  version: string
  /** Free loopback port the container listens on (the caller gives it to the app in `env`). */
  port: number
  /** Free loopback port of the separate probe listener, when the manifest has one. */
  probePort?: number
  command: string[]
  /** The container's whole environment: nothing else is inherited. */
  env: Record<string, string>
  cwd?: string
  spec: DeploymentSpec
  clock: Clock
  onEvent: (event: PodEvent) => void
  /** First restart back-off; doubles up to 5 minutes. Kubernetes: 10 s. */
  restartBackoffMs?: number
  /** How many output lines to keep. */
  keepLines?: number
}

/** The kubelet's view of one pod. */
export class Pod {
  readonly name: string
  readonly version: string
  readonly port: number
  readonly createdAt: number
  phase: PodPhase = 'waiting'
  readySince: number | undefined
  deletedAt: number | undefined
  restarts = 0
  /** Container exits the kubelet did not ask for. */
  crashes = 0
  everReady = false
  /** Output of every container run, newest last. */
  readonly output: string[] = []
  /** Set when the command cannot be spawned at all. */
  spawnError: Error | undefined
  readonly gone: Promise<void>

  private child: ChildProcess | undefined
  private exited: Promise<void> = Promise.resolve()
  private workers: Partial<Record<ProbeKind, ProbeWorker>> = {}
  private started = false
  private killing = false
  private backoffMs: number
  private timers = new Set<NodeJS.Timeout>()
  private resolveGone!: () => void

  constructor (private readonly opts: PodOptions) {
    this.name = opts.name
    this.version = opts.version
    this.port = opts.port
    this.createdAt = opts.clock.now()
    this.backoffMs = opts.restartBackoffMs ?? 10_000
    this.gone = new Promise((resolve) => { this.resolveGone = resolve })
    this.emit('created', `${opts.version} on port ${opts.port}`)
    this.startContainer()
  }

  get ready (): boolean {
    return this.readySince !== undefined
  }

  get terminating (): boolean {
    return this.deletedAt !== undefined
  }

  get pid (): number | undefined {
    return this.child?.pid
  }

  private emit (kind: PodEventKind, detail?: string): void {
    this.opts.onEvent({ at: this.opts.clock.now(), pod: this.name, kind, ...(detail !== undefined && { detail }) })
  }

  private later (ms: number, fn: () => void): void {
    const timer = setTimeout(() => { this.timers.delete(timer); fn() }, ms)
    timer.unref()
    this.timers.add(timer)
  }

  private startContainer (): void {
    const [file, ...args] = this.opts.command
    const child = spawn(file!, args, {
      cwd: this.opts.cwd,
      // Its own process group, so SIGKILL reaches whatever the command starts, as a container's cgroup does.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: this.opts.env
    })
    this.child = child
    track(child)
    const keep = this.opts.keepLines ?? 200
    const onLine = (line: string): void => {
      this.output.push(line)
      if (this.output.length > keep) this.output.shift()
    }
    createInterface({ input: child.stdout! }).on('line', onLine)
    createInterface({ input: child.stderr! }).on('line', onLine)
    this.exited = new Promise((resolve) => {
      child.once('error', (err) => {
        this.spawnError = err
        onLine(`cannot start ${this.opts.command.join(' ')}: ${err.message}`)
      })
      child.once('close', (code, signal) => {
        untrack(child)
        // The container is gone: so is anything it started (the runtime kills the whole cgroup).
        if (child.pid !== undefined) try { process.kill(-child.pid, 'SIGKILL') } catch {}
        this.onExit(child, code, signal)
        resolve()
      })
    })
    this.phase = 'running'
    this.started = false
    this.emit('started', child.pid !== undefined ? `pid ${child.pid}` : undefined)
    this.startProbes()
  }

  private startProbes (): void {
    const { spec } = this.opts
    const startup = spec.startupProbe
    this.started = startup === undefined
    const make = (kind: ProbeKind, onChange: (ok: boolean, detail: string) => void): void => {
      const probeSpec = kind === 'startup' ? spec.startupProbe : kind === 'readiness' ? spec.readinessProbe : spec.livenessProbe
      if (probeSpec === undefined) return
      const worker = new ProbeWorker({
        kind,
        spec: probeSpec,
        port: probeSpec.onProbePort && this.opts.probePort !== undefined ? this.opts.probePort : this.port,
        gate: () => this.phase === 'running' && !this.terminating && (kind === 'startup' ? !this.started : this.started),
        onChange,
        onFailure: (detail) => this.emit('probe-failed', `${kind}: ${detail}`)
      })
      this.workers[kind] = worker
      worker.start()
    }
    make('startup', (ok, detail) => {
      if (ok) {
        this.started = true
        this.workers.startup?.stop()
        if (spec.readinessProbe === undefined) this.setReady(true, 'started')
      } else {
        this.restartContainer(`startup probe failed ${spec.startupProbe!.failureThreshold} times (${detail})`)
      }
    })
    make('readiness', (ok, detail) => this.setReady(ok, detail))
    make('liveness', (ok, detail) => {
      if (!ok) this.restartContainer(`liveness probe failed ${spec.livenessProbe!.failureThreshold} times (${detail})`)
    })
    // Without startup and readiness probes a container is ready once it runs.
    if (startup === undefined && spec.readinessProbe === undefined) this.setReady(true, 'no probes')
  }

  private stopProbes (): void {
    for (const worker of Object.values(this.workers)) worker.stop()
    this.workers = {}
  }

  private setReady (ready: boolean, detail: string): void {
    if (ready === this.ready) return
    this.readySince = ready ? this.opts.clock.now() : undefined
    if (ready) this.everReady = true
    this.emit(ready ? 'ready' : 'not-ready', detail)
  }

  /** Liveness or startup failed: kill the container the way a deletion does, then start it again. */
  private restartContainer (reason: string): void {
    if (this.terminating || this.phase !== 'running') return
    this.emit('restarting', reason)
    this.stopProbes()
    this.setReady(false, 'restarting')
    const child = this.child
    this.killContainer(child).catch(() => {})
  }

  private onExit (child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== this.child) return
    this.emit('exited', signal !== null ? `signal ${signal}` : `code ${code}`)
    this.stopProbes()
    this.setReady(false, 'exited')
    if (!this.killing) this.crashes++
    this.killing = false
    if (this.terminating || this.spawnError !== undefined) {
      this.finish()
      return
    }
    // restartPolicy Always, with the kubelet's doubling back-off (CrashLoopBackOff).
    this.phase = 'waiting'
    this.restarts++
    const wait = this.backoffMs
    this.backoffMs = Math.min(this.backoffMs * 2, 300_000)
    this.later(wait, () => { if (!this.terminating) this.startContainer() })
  }

  private finish (): void {
    if (this.phase === 'terminated') return
    this.phase = 'terminated'
    for (const timer of this.timers) clearTimeout(timer)
    this.emit('terminated')
    this.resolveGone()
  }

  /** preStop sleep, SIGTERM, SIGKILL at the grace period, all counted from `from` (R6). */
  private async killContainer (child: ChildProcess | undefined, from = this.opts.clock.now()): Promise<void> {
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return
    this.killing = true
    const { preStopSleepSeconds, terminationGracePeriodSeconds } = this.opts.spec
    const grace = terminationGracePeriodSeconds * 1000
    const exited = this.exited
    const wait = (ms: number): Promise<void> => new Promise((resolve) => this.later(Math.max(0, ms), resolve))
    if (preStopSleepSeconds > 0) {
      await Promise.race([wait(Math.min(preStopSleepSeconds * 1000, grace)), exited])
      this.emit('prestop-done')
    }
    if (child.exitCode !== null || child.signalCode !== null) return
    this.emit('sigterm')
    child.kill('SIGTERM')
    // The kubelet gives at least 2 s after preStop even when it ate the whole grace period.
    const killAt = Math.max(from + grace, this.opts.clock.now() + (preStopSleepSeconds > 0 ? 2000 : 0))
    await Promise.race([wait(killAt - this.opts.clock.now()), exited])
    if (child.exitCode !== null || child.signalCode !== null) return
    this.emit('sigkill')
    killGroup(child)
  }

  /** Deletes the pod: it stops counting at once; the container is terminated as Kubernetes does. */
  delete (): void {
    if (this.terminating) return
    this.deletedAt = this.opts.clock.now()
    this.emit('deleted')
    this.stopProbes()
    if (this.phase !== 'running') {
      this.finish()
      return
    }
    this.phase = 'terminating'
    this.killContainer(this.child, this.deletedAt).catch(() => {})
  }

  /** Ends everything at once (SIGKILL); for the end of a rehearsal or an abort. */
  async kill (): Promise<void> {
    if (this.deletedAt === undefined) this.deletedAt = this.opts.clock.now()
    this.stopProbes()
    for (const timer of this.timers) clearTimeout(timer)
    if (this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null) {
      this.killing = true
      killGroup(this.child)
    }
    await this.exited
    this.finish()
  }
}

function killGroup (child: ChildProcess): void {
  // No pid: the command never started. Never call process.kill(-undefined): that is the caller's group.
  if (child.pid === undefined || child.pid <= 0) return
  try {
    process.kill(-child.pid, 'SIGKILL')
  } catch {
    child.kill('SIGKILL')
  }
}
