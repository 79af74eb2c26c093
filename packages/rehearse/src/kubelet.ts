// A kubelet for one pod: it owns the pod's container (one process at a time), runs its probes, restarts
// it when liveness or startup fails or when it exits, and terminates it as Kubernetes does (R5, R6, R9):
// pkg/kubelet/kuberuntime/kuberuntime_container.go killContainer and pkg/kubelet/prober/worker.go.
import { Container, type ContainerExit, type Pid1Model } from './container.js'
import type { DeploymentSpec } from './manifest.js'
import { runPreStop } from './prestop.js'
import type { PodRuntime, RunningContainer } from './runtime.js'
import { ProbeWorker, type ProbeKind } from './probe.js'
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
  /** How the container's PID 1 is reproduced (see container.ts). Default `host`. */
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

/** The kubelet gives a container at least this long after preStop, whatever is left of the grace period. */
const MINIMUM_GRACE_MS = 2000

/** When SIGKILL follows the stop signal sent at `signalledAt`: at the grace period's end, but never less than 2 s later. */
export function sigkillAt (graceEnd: number, signalledAt: number): number {
  return Math.max(graceEnd, signalledAt + MINIMUM_GRACE_MS)
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
  private workers: Partial<Record<ProbeKind, ProbeWorker>> = {}
  private started = false
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
    this.started = false
    this.stopping = false
    this.emit('started', container.name ?? (pid !== undefined ? `pid ${pid}` : undefined))
    this.startProbes(container)
  }

  private startProbes (container: RunningContainer): void {
    const { spec } = this.opts
    const startup = spec.startupProbe
    this.started = startup === undefined
    // Startup and liveness stop at deletion and once the kubelet stops the container; readiness goes on
    // while the container runs, deleted or not (R8): its result is the endpoint's `serving`.
    const gates: Record<ProbeKind, () => boolean> = {
      startup: () => container.running && !this.stopping && !this.terminating && !this.started,
      liveness: () => container.running && !this.stopping && !this.terminating && this.started,
      readiness: () => container.running && this.started
    }
    const make = (kind: ProbeKind, onChange: (ok: boolean, detail: string) => void): void => {
      const probeSpec = kind === 'startup' ? spec.startupProbe : kind === 'readiness' ? spec.readinessProbe : spec.livenessProbe
      if (probeSpec === undefined) return
      const worker = new ProbeWorker({
        kind,
        spec: probeSpec,
        port: probeSpec.onProbePort && this.opts.probePort !== undefined ? this.opts.probePort : this.port,
        gate: gates[kind],
        onChange,
        onFailure: (detail) => this.emit('probe-failed', `${kind}: ${detail}`)
      })
      this.workers[kind] = worker
      worker.start()
    }
    make('startup', (ok, detail) => {
      if (ok) {
        this.started = true
        this.stopProbes('startup')
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

  private stopProbes (...kinds: ProbeKind[]): void {
    for (const kind of kinds.length > 0 ? kinds : Object.keys(this.workers) as ProbeKind[]) {
      this.workers[kind]?.stop()
      delete this.workers[kind]
    }
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
    this.stopProbes('startup', 'liveness')
    this.stopContainer(this.container, this.opts.clock.now()).catch(() => {})
  }

  private onExit (container: RunningContainer, exit: ContainerExit): void {
    if (container !== this.container) return
    this.emit('exited', this.tornDown ? 'torn down' : exit.signal !== null ? `signal ${exit.signal}` : `code ${exit.code}`)
    this.stopProbes()
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

  /**
   * killContainer: preStop (bounded by the grace period, counted from `from`), then the stop signal at
   * once — also when the hook failed (FailedPreStopHook) — then SIGKILL when the grace period is over,
   * but never sooner than 2 s after preStop.
   */
  private async stopContainer (container: RunningContainer, from: number): Promise<void> {
    if (!container.running) return
    this.stopping = true
    const { preStop, stopSignal, terminationGracePeriodSeconds } = this.opts.spec
    const graceEnd = from + terminationGracePeriodSeconds * 1000
    const exited = container.exited.then(() => undefined)
    if (preStop !== undefined && graceEnd > this.opts.clock.now()) {
      const result = await runPreStop(preStop, {
        ...(this.opts.cwd !== undefined && { cwd: this.opts.cwd }),
        env: this.opts.env,
        timeoutMs: graceEnd - this.opts.clock.now(),
        containerExited: exited,
        onLine: (line) => this.keep(`preStop: ${line}`),
        ...(this.opts.runtime !== undefined && { inside: this.opts.runtime.exec }),
        ...(this.opts.onProcess !== undefined && { onProcess: this.opts.onProcess })
      })
      this.emit(result.ok ? 'prestop-done' : 'prestop-failed', result.detail)
    }
    if (!container.running) return
    this.emit('sigterm', stopSignal === 'SIGTERM' ? undefined : `${stopSignal} (lifecycle.stopSignal)`)
    await container.signal(stopSignal)
    const killAt = sigkillAt(graceEnd, this.opts.clock.now())
    await Promise.race([this.wait(killAt - this.opts.clock.now()), exited])
    if (!container.running) return
    this.emit('sigkill')
    container.killGroup()
  }

  /** Deletes the pod: it stops counting at once; the container is terminated as Kubernetes does. */
  delete (): void {
    if (this.terminating) return
    this.deletedAt = this.opts.clock.now()
    this.emit('deleted')
    this.stopProbes('startup', 'liveness')
    if (this.container === undefined || !this.container.running) {
      this.stopProbes()
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
    this.stopProbes()
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
