// One rehearsal, in phases: setup (the old ReplicaSet comes up), warmup (load starts), rollout (the
// scenario, scenarios/), drain (the pods that had to go terminate), tail (load goes on), teardown.
// The phases run over a cluster (cluster/cluster.ts): ReplicaSets of pods, each with its kubelet
// (kubelet/), and the traffic path in front of them (traffic/).
import { Cluster } from './cluster/cluster.js'
import { startLoad } from './load/requests.js'
import { startLongLived } from './load/long-lived-clients.js'
import { resolveOptions, type RehearseOptions, type ResolvedOptions } from './options.js'
import type { Pod } from './kubelet/pod.js'
import { progressOf, type Progress } from './report/progress.js'
import { summarize, type RehearsalResult } from './report/summary.js'
import { detectPid1Model } from './runtime/process.js'
import { sweepContainers } from './runtime/engine.js'
import type { ScenarioContext } from './scenarios/context.js'
import { SCENARIO_RUNS } from './scenarios/index.js'
import type { RehearsalState } from './state.js'
import { createClock, type RolloutEvent } from './timeline.js'
import type { TrafficProxy } from './traffic/endpoints.js'
import { createProxy } from './traffic/proxy.js'

export type { Progress } from './report/progress.js'

const TICK_MS = 50
/** How long beyond its add delay the Service may take to route every old pod: kube-proxy syncs once a second. */
const WARMUP_ROUTING_MS = 5000

export async function rehearse (options: RehearseOptions): Promise<RehearsalResult> {
  const resolved = resolveOptions(options)
  // On a real cluster (--cluster) the cluster is the model: its own controllers, kubelet and kube-proxy.
  // Loaded only then, as the client library it needs.
  if (resolved.cluster !== undefined) {
    const { rehearseOnCluster } = await import('./kubernetes/rehearsal.js')
    return await rehearseOnCluster(resolved, options, resolved.cluster.target)
  }
  return await new Rehearsal(resolved, options).run()
}

class Rehearsal {
  private readonly state: RehearsalState
  private readonly service: TrafficProxy
  private readonly cluster: Cluster
  private readonly leaving = new Set<Pod>()
  private phase: Progress['phase'] = 'starting'
  private progressTimer: NodeJS.Timeout | undefined

  constructor (private readonly opts: ResolvedOptions, private readonly caller: RehearseOptions) {
    const clock = createClock()
    this.state = {
      opts,
      clock,
      pid1: opts.containers !== undefined ? 'container' : opts.pidNamespace ? detectPid1Model() : 'host',
      podEvents: [],
      rolloutEvents: [],
      allPods: [],
      outcome: 'complete',
      finalVersion: opts.scenario === 'rolling-update' ? opts.newVersion : opts.oldVersion
    }
    this.service = createProxy(opts.proxy, clock, { addDelayMs: opts.addDelayMs, removeDelayMs: opts.removeDelayMs }, caller.onPodProcess)
    this.cluster = new Cluster(this.state, this.service, caller)
  }

  async run (): Promise<RehearsalResult> {
    try {
      await this.service.listen()
      this.startProgress()
      await this.setup()
      if (this.going()) await this.warmup()
      if (this.going()) await this.rollout()
      if (this.going()) await this.drain()
      if (this.going()) await this.tail()
      if (this.aborted()) this.state.outcome = 'aborted'
    } finally {
      await this.teardown()
    }
    return summarize(this.state)
  }

  private get clock (): RehearsalState['clock'] { return this.state.clock }
  private get spec (): ResolvedOptions['deployment'] { return this.opts.deployment }
  private aborted (): boolean { return this.caller.signal?.aborted === true }
  private going (): boolean { return !this.aborted() && this.state.outcome === 'complete' }
  private tick (): Promise<void> { return new Promise((resolve) => setTimeout(resolve, TICK_MS)) }
  private event (kind: RolloutEvent['kind'], detail?: string): void {
    this.state.rolloutEvents.push({ at: this.clock.now(), kind, ...(detail !== undefined && { detail }) })
  }

  private stuck (pod: Pod | undefined, reason: string): void {
    this.state.outcome = 'stuck'
    if (pod !== undefined) this.state.stuckPod = pod
    this.state.stuckReason = reason
    this.event('deadline-exceeded', reason)
  }

  /** Setup: the old ReplicaSet comes up; the deadline counts from the last pod that got ready. */
  private async setup (): Promise<void> {
    const { current } = this.cluster
    let progressAt = this.clock.now()
    let readyBefore = 0
    while (!this.aborted()) {
      await this.cluster.reconcile()
      const ready = current.pods.filter((p) => p.ready && !p.terminating)
      if (ready.length > readyBefore) progressAt = this.clock.now()
      readyBefore = ready.length
      if (ready.filter((p) => this.clock.now() - p.readySince! >= this.spec.minReadySeconds * 1000).length === this.spec.replicas) break
      const crashed = current.pods.find((p) => p.crashes > 0 && !p.everReady)
      if (crashed !== undefined) return this.stuck(crashed, `the ${this.opts.oldVersion} pod ${crashed.name} exited before it became ready`)
      if (this.clock.now() - progressAt > this.spec.progressDeadlineSeconds * 1000) {
        return this.stuck(this.cluster.stuckPod(current), `the ${this.opts.oldVersion} pods were not all available within progressDeadlineSeconds (${this.spec.progressDeadlineSeconds} s)`)
      }
      await this.tick()
    }
    this.event('initial-available', `${this.spec.replicas} × ${this.opts.oldVersion}`)
  }

  /** Warmup: traffic starts after the add delay, once the Service routes to every old pod (kube-proxy syncs once a second). */
  private async warmup (): Promise<void> {
    this.phase = 'warmup'
    await new Promise((resolve) => setTimeout(resolve, this.opts.addDelayMs))
    const until = this.clock.now() + WARMUP_ROUTING_MS
    while (!this.aborted() && this.service.routing.length < this.spec.replicas && this.clock.now() < until) await this.tick()
    this.state.load = startLoad(this.service, this.clock, this.opts.load)
    if (this.opts.load.longLived !== undefined) this.state.longLived = startLongLived(this.service, this.clock, this.opts.load.longLived)
    await this.idle(this.opts.warmupMs)
  }

  /** Rollout: the scenario. */
  private async rollout (): Promise<void> {
    this.phase = 'rollout'
    this.state.rolloutStartedAt = this.clock.now()
    const ctx: ScenarioContext = {
      cluster: this.cluster,
      state: this.state,
      leaving: this.leaving,
      aborted: () => this.aborted(),
      tick: () => this.tick(),
      event: (kind, detail) => this.event(kind, detail),
      stuck: (pod, reason) => this.stuck(pod, reason)
    }
    await SCENARIO_RUNS[this.opts.scenario](ctx)
  }

  /** Drain: the pods that had to go terminate, under load. */
  private async drain (): Promise<void> {
    this.phase = 'draining'
    while (!this.aborted() && [...this.leaving].some((p) => p.phase !== 'terminated')) {
      await this.cluster.reconcile()
      await this.tick()
    }
    this.state.oldGoneAt = this.clock.now()
  }

  /** Tail: load goes on a little after the last of them is gone. */
  private async tail (): Promise<void> {
    this.phase = 'tail'
    await this.idle(this.opts.tailMs)
  }

  private async teardown (): Promise<void> {
    this.phase = 'done'
    clearInterval(this.progressTimer)
    await Promise.all([this.state.load?.stop(), this.state.longLived?.stop()])
    this.state.endedAt = this.clock.now()
    await Promise.all(this.cluster.pods.map((p) => p.kill()))
    // Whatever an engine still holds of this run, e.g. a container created while it was being killed.
    if (this.opts.containers !== undefined) await sweepContainers(this.opts.containers.engine, this.opts.containers.runId)
    await this.service.close()
  }

  private async idle (ms: number): Promise<void> {
    const end = this.clock.now() + ms
    while (!this.aborted() && this.clock.now() < end) { await this.cluster.reconcile(); await this.tick() }
  }

  private startProgress (): void {
    const { onProgress } = this.caller
    if (onProgress === undefined) return
    this.progressTimer = setInterval(() => onProgress(progressOf(this.state, this.phase)), 500)
    this.progressTimer.unref()
  }
}
