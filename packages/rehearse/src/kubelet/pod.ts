// A kubelet for one pod: it owns the pod's container (one process at a time), runs its probes
// (probes.ts), restarts it when liveness or startup fails or when it exits, with the kubelet's back-off,
// and terminates it as Kubernetes does (termination.ts).
import { Container, type ContainerExit, type Pid1Model } from '../runtime/process.js'
import type { DeploymentSpec } from '../manifest/manifest.js'
import type { PodRuntime, RunningContainer } from '../runtime/runtime.js'
import type { Clock, PodEvent, PodEventKind } from '../timeline.js'
import { PodProbes } from './probes.js'
import { killContainer } from './termination.js'

export { sigkillAt } from './termination.js'

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
  /** How the container's PID 1 is reproduced (see runtime/process.ts). Default `host`. */
  pid1?: Pid1Model
  /** Told each process group this pod starts (`alive`) and as it ends: its containers and preStop hooks. */
  onProcess?: (pid: number, alive: boolean) => void
  /** First restart back-off; doubles up to 5 minutes. Kubernetes: 10 s. */
  restartBackoffMs?: number
  /** How many output lines to keep. */
  keepLines?: number
  /** Runs the pod's containers in a container engine instead of as processes of `command` (see runtime.ts). */
  runtime?: PodRuntime
}

/** The kubelet's view of one pod. */
export class Pod {
  readonly name: string
  readonly version: string
  readonly port: number
  readonly createdAt: number
  phase: PodPhase = 'waiting'
  /** Ready (readiness passing) since this time; readiness is still probed after deletion. */
  readySince: number | undefined
  deletedAt: number | undefined
  restarts = 0
  /** Container exits the kubelet did not ask for. */
  crashes = 0
  everReady = false
  /** Output of every container run (and of preStop hooks), newest last. */
  readonly output: string[] = []
  readonly gone: Promise<void>

  private container: RunningContainer | undefined
  private readonly probes: PodProbes
  /** The kubelet is stopping the current container (deletion, failed liveness or startup, teardown). */
  private stopping = false
  private tornDown = false
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
    this.probes = new PodProbes({
      spec: opts.spec,
      port: opts.port,
      probePort: opts.probePort,
      stopping: () => this.stopping,
      terminating: () => this.terminating,
      failed: (detail) => this.emit('probe-failed', detail),
      setReady: (ready, detail) => this.setReady(ready, detail),
      restartContainer: (reason) => this.restartContainer(reason)
    })
    this.emit('created', `${opts.version} on port ${opts.port}`)
    this.startContainer()
  }

  get ready (): boolean {
    return this.readySince !== undefined
  }

  get terminating (): boolean {
    return this.deletedAt !== undefined
  }

  /** A container of this pod runs now (it may be being stopped). */
  get running (): boolean {
    return this.container?.running === true
  }

  /** The container's whole environment. */
  get env (): Record<string, string> {
    return this.opts.env
  }

  get pid (): number | undefined {
    return this.container?.pid
  }

  /** Set when the command cannot be spawned at all. */
  get spawnError (): Error | undefined {
    return this.container?.spawnError
  }

  private emit (kind: PodEventKind, detail?: string): void {
    this.opts.onEvent({ at: this.opts.clock.now(), pod: this.name, kind, ...(detail !== undefined && { detail }) })
  }

  private later (ms: number, fn: () => void): void {
    const timer = setTimeout(() => { this.timers.delete(timer); fn() }, ms)
    timer.unref()
    this.timers.add(timer)
  }

  private wait (ms: number): Promise<void> {
    return new Promise((resolve) => this.later(Math.max(0, ms), resolve))
  }

  private keep (line: string): void {
    this.output.push(line)
    if (this.output.length > (this.opts.keepLines ?? 200)) this.output.shift()
  }

  private startContainer (): void {
    const onLine = (line: string): void => this.keep(line)
    const container: RunningContainer = this.opts.runtime?.start(onLine) ?? new Container({
      command: this.opts.command,
      ...(this.opts.cwd !== undefined && { cwd: this.opts.cwd }),
      env: this.opts.env,
      model: this.opts.pid1 === undefined || this.opts.pid1 === 'container' ? 'host' : this.opts.pid1,
      onLine
    })
    this.container = container
    const pid = container.pid
    if (pid !== undefined) this.opts.onProcess?.(pid, true)
    container.exited.then((exit) => {
      if (pid !== undefined) this.opts.onProcess?.(pid, false)
      this.onExit(container, exit)
    }, () => {})
    this.phase = this.terminating ? 'terminating' : 'running'
    this.stopping = false
    this.emit('started', container.name ?? (pid !== undefined ? `pid ${pid}` : undefined))
    this.probes.start(container)
  }

  private setReady (ready: boolean, detail: string): void {
    if (ready === this.ready) return
    this.readySince = ready ? this.opts.clock.now() : undefined
    if (ready) this.everReady = true
    this.emit(ready ? 'ready' : 'not-ready', detail)
  }

  /**
   * Liveness or startup failed: the container is killed the way a deletion kills it, then started again.
   * The pod keeps its readiness, and so its endpoint, until the container is gone (R9).
   */
  private restartContainer (reason: string): void {
    if (this.terminating || this.stopping || this.container === undefined) return
    this.emit('restarting', reason)
    this.probes.stop('startup', 'liveness')
    this.stopContainer(this.container, this.opts.clock.now()).catch(() => {})
  }

  private onExit (container: RunningContainer, exit: ContainerExit): void {
    if (container !== this.container) return
    this.emit('exited', this.tornDown ? 'torn down' : exit.signal !== null ? `signal ${exit.signal}` : `code ${exit.code}`)
    this.probes.stop()
    this.setReady(false, 'exited')
    if (!this.stopping) this.crashes++
    if (this.terminating || container.spawnError !== undefined) {
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

  /** Stops the container as the kubelet does (termination.ts), the grace period counted from `from`. */
  private async stopContainer (container: RunningContainer, from: number): Promise<void> {
    if (!container.running) return
    this.stopping = true
    await killContainer(container, from, {
      spec: this.opts.spec,
      clock: this.opts.clock,
      ...(this.opts.cwd !== undefined && { cwd: this.opts.cwd }),
      env: this.opts.env,
      ...(this.opts.runtime !== undefined && { runtime: this.opts.runtime }),
      ...(this.opts.onProcess !== undefined && { onProcess: this.opts.onProcess }),
      emit: (kind, detail) => this.emit(kind, detail),
      keep: (line) => this.keep(line),
      wait: (ms) => this.wait(ms)
    })
  }

  /** Deletes the pod: it stops counting at once; the container is terminated as Kubernetes does. */
  delete (): void {
    if (this.terminating) return
    this.deletedAt = this.opts.clock.now()
    this.emit('deleted')
    this.probes.stop('startup', 'liveness')
    if (this.container === undefined || !this.container.running) {
      this.probes.stop()
      this.finish()
      return
    }
    this.phase = 'terminating'
    // A container already being stopped (failed liveness) goes on with its own countdown.
    if (!this.stopping) this.stopContainer(this.container, this.deletedAt).catch(() => {})
  }

  /** The end of a rehearsal or an abort: no more probes, SIGKILL at once; the pod shows as torn down. */
  async kill (): Promise<void> {
    if (this.phase === 'terminated') return
    if (this.deletedAt === undefined) this.deletedAt = this.opts.clock.now()
    this.probes.stop()
    for (const timer of this.timers) clearTimeout(timer)
    const container = this.container
    if (container !== undefined && container.running) {
      this.tornDown = true
      this.stopping = true
      container.killGroup()
      await container.exited
    }
    this.finish()
  }
}
