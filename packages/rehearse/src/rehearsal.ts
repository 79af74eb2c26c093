// One rehearsal, in phases: setup (the old ReplicaSet comes up), warmup (load starts), rollout (the
// scenario: a template change the Deployment controller rolls out, or a node drain), drain (the pods
// that had to go terminate), tail (load goes on), teardown. The controllers are pure functions
// (controller.ts), each pod has its kubelet (kubelet.ts), the Service is a proxy (service.ts).
import { randomBytes } from 'node:crypto'
import { detectPid1Model } from './container.js'
import { sweepContainers } from './engine.js'
import { containerPod } from './pod-container.js'
import { disruptionsAllowed, syncDeployment, syncReplicaSet, type Budget, type DeploymentStatus, type PodView, type ReplicaSetView, type RolloutSpec } from './controller.js'
import { supports } from '@zerodown/deploy/kube-version'
import { endpointSlice, routable } from './endpoint-slice.js'
import { RehearseCommandError } from './errors.js'
import { freePort } from './loopback.js'
import { Pod } from './kubelet.js'
import { startLoad } from './load.js'
import { startLongLived } from './long-lived-load.js'
import { resolveOptions, type RehearseOptions, type ResolvedOptions } from './options.js'
import { podEnv } from './pod-env.js'
import type { Progress } from './progress.js'
import { createProxy } from './proxy.js'
import type { TrafficProxy } from './endpoints.js'
import type { RehearsalState } from './state.js'
import { summarize, type RehearsalResult } from './summary.js'
import { createClock, type RolloutEvent } from './timeline.js'

export type { Progress } from './progress.js'

interface ReplicaSet {
  name: string
  version: string
  replicas: number
  /** Pods not yet terminated. */
  pods: Pod[]
}

const TICK_MS = 50
/** How long beyond its add delay the Service may take to route every old pod: kube-proxy syncs once a second. */
const WARMUP_ROUTING_MS = 5000

const hex = (n: number): string => randomBytes(n).toString('hex')

export async function rehearse (options: RehearseOptions): Promise<RehearsalResult> {
  return await new Rehearsal(resolveOptions(options), options).run()
}

class Rehearsal {
  private readonly state: RehearsalState
  private readonly service: TrafficProxy
  private readonly sets: ReplicaSet[] = []
  /** The ReplicaSet of the Deployment's current template. */
  private current: ReplicaSet
  /** Pods that must be gone before the rollout's traffic is all on its final pods. */
  private readonly leaving = new Set<Pod>()
  private phase: Progress['phase'] = 'starting'
  private published = ''
  private readonly ports = new Set<number>()
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
    this.current = this.replicaSet(opts.oldVersion, opts.deployment.replicas)
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
    let progressAt = this.clock.now()
    let readyBefore = 0
    while (!this.aborted()) {
      await this.reconcile()
      const ready = this.current.pods.filter((p) => p.ready && !p.terminating)
      if (ready.length > readyBefore) progressAt = this.clock.now()
      readyBefore = ready.length
      if (ready.filter((p) => this.clock.now() - p.readySince! >= this.spec.minReadySeconds * 1000).length === this.spec.replicas) break
      const crashed = this.current.pods.find((p) => p.crashes > 0 && !p.everReady)
      if (crashed !== undefined) return this.stuck(crashed, `the ${this.opts.oldVersion} pod ${crashed.name} exited before it became ready`)
      if (this.clock.now() - progressAt > this.spec.progressDeadlineSeconds * 1000) {
        return this.stuck(this.stuckPod(this.current), `the ${this.opts.oldVersion} pods were not all available within progressDeadlineSeconds (${this.spec.progressDeadlineSeconds} s)`)
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
    const { scenario, oldVersion, newVersion } = this.opts
    if (scenario === 'node-drain') return await this.drainNode()
    const old = this.current
    this.current = this.replicaSet(newVersion, 0)
    this.event('rollout-started', scenario === 'restart' ? `kubectl rollout restart: a new ReplicaSet of ${oldVersion}` : `${oldVersion} -> ${newVersion}`)
    // A rollback is `kubectl rollout undo` once half the replicas run the new version.
    const half = Math.ceil(this.spec.replicas / 2)
    const undoWhen = scenario === 'rollback' ? (): boolean => this.current.pods.filter((p) => p.ready && !p.terminating).length >= half : undefined
    await this.controllerLoop(undoWhen === undefined
      ? undefined
      : () => {
          if (this.current === old || !undoWhen()) return
          this.event('rolled-back', `kubectl rollout undo with ${half} of ${this.spec.replicas} on ${newVersion}: the ${oldVersion} template is the new one again`)
          this.current = old
        })
    // Every pod deleted on the way, and whatever still runs outside the final ReplicaSet.
    for (const p of this.state.allPods) if (p.terminating || !this.current.pods.includes(p)) this.leaving.add(p)
  }

  /** The Deployment controller, synced each tick until the rollout completes or exceeds its deadline. */
  private async controllerLoop (beforeSync?: () => void): Promise<void> {
    const rollout: RolloutSpec = {
      replicas: this.spec.replicas,
      maxSurge: this.spec.maxSurge,
      maxUnavailable: this.spec.maxUnavailable,
      minReadySeconds: this.spec.minReadySeconds,
      progressDeadlineSeconds: this.spec.progressDeadlineSeconds
    }
    let previous: DeploymentStatus | undefined
    let lastProgressAt = this.clock.now()
    while (!this.aborted()) {
      beforeSync?.()
      const olds = this.sets.filter((rs) => rs !== this.current)
      const result = syncDeployment({
        now: this.clock.now(),
        spec: rollout,
        newRS: this.view(this.current),
        oldRSs: olds.map((rs) => this.view(rs)),
        lastProgressAt,
        ...(previous !== undefined && { previous })
      })
      previous = result.status
      lastProgressAt = result.lastProgressAt
      if (result.complete) {
        this.state.rolloutCompletedAt = this.clock.now()
        this.event('rollout-complete')
        return
      }
      if (result.deadlineExceeded) {
        return this.stuck(this.stuckPod(this.current), `no progress for progressDeadlineSeconds (${this.spec.progressDeadlineSeconds} s): ProgressDeadlineExceeded`)
      }
      for (const action of result.scale) {
        const rs = this.sets.find((s) => s.name === action.replicaSet)!
        rs.replicas = action.to
        this.event('scaled', `${rs.version} ${action.from} -> ${action.to}`)
      }
      await this.reconcile()
      await this.tick()
    }
  }

  /**
   * `kubectl drain`: every pod on the node is evicted through the PodDisruptionBudget (maxUnavailable 1
   * without one), retried until allowed; the ReplicaSet replaces each evicted pod elsewhere, no surge.
   */
  private async drainNode (): Promise<void> {
    const pdb = this.spec.podDisruptionBudget
    const budget: Budget = pdb === undefined ? { maxUnavailable: 1 } : 'minAvailable' in pdb ? { minAvailable: pdb.minAvailable } : { maxUnavailable: pdb.maxUnavailable }
    const shown = `${'minAvailable' in budget ? `minAvailable ${budget.minAvailable}` : `maxUnavailable ${budget.maxUnavailable}`}${pdb === undefined ? ', no PodDisruptionBudget in the manifest' : ` (PodDisruptionBudget ${pdb.name})`}`
    const toEvict = this.current.pods.filter((p) => !p.terminating)
    this.event('rollout-started', `node drain: ${toEvict.length} pods to evict, ${shown}`)
    let progressAt = this.clock.now()
    while (!this.aborted()) {
      await this.reconcile()
      const healthy = this.current.pods.filter((p) => p.ready && !p.terminating).length
      const next = toEvict.find((p) => !p.terminating)
      if (next === undefined) {
        if (healthy === this.spec.replicas && this.current.pods.every((p) => p.terminating || this.clock.now() - (p.readySince ?? Infinity) >= this.spec.minReadySeconds * 1000)) {
          this.state.rolloutCompletedAt = this.clock.now()
          this.event('rollout-complete')
          break
        }
      } else if (disruptionsAllowed(budget, this.spec.replicas, healthy) > 0) {
        next.delete()
        this.leaving.add(next)
        progressAt = this.clock.now()
        this.event('evicted', next.name)
      }
      if (this.clock.now() - progressAt > this.spec.progressDeadlineSeconds * 1000) {
        return this.stuck(this.stuckPod(this.current), `the drain made no progress for progressDeadlineSeconds (${this.spec.progressDeadlineSeconds} s): the budget (${shown}) allowed no eviction`)
      }
      await this.tick()
    }
  }

  /** Drain: the pods that had to go terminate, under load. */
  private async drain (): Promise<void> {
    this.phase = 'draining'
    while (!this.aborted() && [...this.leaving].some((p) => p.phase !== 'terminated')) {
      await this.reconcile()
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
    await Promise.all(this.state.allPods.map((p) => p.kill()))
    // Whatever an engine still holds of this run, e.g. a container created while it was being killed.
    if (this.opts.containers !== undefined) await sweepContainers(this.opts.containers.engine, this.opts.containers.runId)
    await this.service.close()
  }

  private async idle (ms: number): Promise<void> {
    const end = this.clock.now() + ms
    while (!this.aborted() && this.clock.now() < end) { await this.reconcile(); await this.tick() }
  }

  private replicaSet (version: string, replicas: number): ReplicaSet {
    const rs = { name: `${this.spec.name}-${hex(5)}`, version, replicas, pods: [] }
    this.sets.push(rs)
    return rs
  }

  private view (rs: ReplicaSet): ReplicaSetView {
    return {
      name: rs.name,
      replicas: rs.replicas,
      pods: rs.pods.map((p): PodView => ({
        name: p.name, createdAt: p.createdAt, terminating: p.terminating, ...(p.readySince !== undefined && !p.terminating && { readySince: p.readySince })
      }))
    }
  }

  private stuckPod (rs: ReplicaSet): Pod | undefined {
    return rs.pods.find((p) => !p.ready && !p.terminating) ?? rs.pods.find((p) => !p.terminating) ?? rs.pods[0]
  }

  /** Each pod keeps its own port for the whole rehearsal, so no two pods ever share one. */
  private async uniquePort (): Promise<number> {
    let port = await freePort()
    while (this.ports.has(port)) port = await freePort()
    this.ports.add(port)
    return port
  }

  /** The ReplicaSet controller and the EndpointSlice controller, one pass. */
  private async reconcile (): Promise<void> {
    for (const rs of this.sets) {
      rs.pods = rs.pods.filter((p) => p.phase !== 'terminated')
      const action = syncReplicaSet(this.view(rs))
      for (const name of action.delete) rs.pods.find((p) => p.name === name)?.delete()
      for (let i = 0; i < action.create; i++) rs.pods.push(await this.createPod(rs))
    }
    const endpoints = routable(endpointSlice(this.state.allPods), supports(this.opts.kube, 'terminatingEndpointFallback'))
    const key = endpoints.map((e) => e.pod).join(',')
    if (key !== this.published) {
      this.published = key
      this.service.publish(endpoints)
    }
    const broken = this.state.allPods.find((p) => p.spawnError !== undefined)
    if (broken !== undefined) throw new RehearseCommandError(this.opts.containers?.engine.path ?? this.opts.command.join(' '), broken.spawnError!.message)
  }

  private async createPod (rs: ReplicaSet): Promise<Pod> {
    const { opts, spec } = this
    const probePort = spec.probePort === undefined ? undefined : await this.uniquePort()
    const probeEnv = Object.fromEntries((spec.probePort?.env ?? []).map((name) => [name, String(probePort)]))
    const name = `${rs.name}-${hex(3).slice(0, 5)}`
    const port = await this.uniquePort()
    // A container has its own network namespace: its ports are published on these loopback ports.
    const inContainer = opts.containers === undefined ? undefined : containerPod(opts, opts.containers, { name, version: rs.version, port, ...(probePort !== undefined && { probePort }) })
    const pod = new Pod({
      name,
      version: rs.version,
      port,
      ...(probePort !== undefined && { probePort }),
      command: opts.command,
      cwd: opts.cwd,
      // The kubelet's environment; then what the rehearsal must set: the version, and free loopback
      // ports in place of the container's (pods share this machine's ports, not a network namespace each).
      env: inContainer?.env ?? podEnv({
        podName: name,
        container: spec,
        passEnv: opts.passEnv,
        overrides: { ...opts.env, ...probeEnv, [opts.versionEnv]: rs.version, PORT: String(port), HOST: '127.0.0.1' }
      }),
      spec: inContainer?.spec ?? spec,
      ...(inContainer !== undefined && { runtime: inContainer.runtime }),
      clock: this.clock,
      pid1: this.state.pid1,
      ...(this.caller.onPodProcess !== undefined && { onProcess: this.caller.onPodProcess }),
      restartBackoffMs: opts.restartBackoffMs,
      onEvent: (event) => this.state.podEvents.push(event)
    })
    this.state.allPods.push(pod)
    return pod
  }

  private startProgress (): void {
    const { onProgress } = this.caller
    if (onProgress === undefined) return
    this.progressTimer = setInterval(() => {
      const records = this.state.load?.records ?? []
      const byVersion: Record<string, number> = {}
      let failures = 0
      for (const r of records) {
        if (r.outcome !== 'ok') failures++
        else if (r.version !== undefined) byVersion[r.version] = (byVersion[r.version] ?? 0) + 1
      }
      onProgress({
        at: this.clock.now(),
        phase: this.phase,
        pods: this.state.allPods.filter((p) => p.phase !== 'terminated').map((p) => ({
          name: p.name,
          version: p.version,
          restarts: p.restarts,
          state: p.terminating ? 'terminating' : p.ready ? 'ready' : p.phase === 'waiting' ? 'waiting (back-off)' : 'starting'
        })),
        requests: records.length,
        failures,
        byVersion
      })
    }, 500)
    this.progressTimer.unref()
  }
}
