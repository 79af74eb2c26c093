// A rehearsal on a real cluster (--cluster): the manifest's objects applied into a namespace of its
// own, the load sent to the Service (or to a URL the user gives), the rollout made as kubectl makes
// it, every old pod's end read from the API server, then everything it created deleted, also when
// it is stopped. The result is the same as the model's, from the same report.
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { RehearseClusterError } from '../errors.js'
import { startLoad } from '../load/requests.js'
import { urlTarget } from '../load/target.js'
import type { RehearseOptions, ResolvedOptions } from '../options.js'
import { summarize, type RehearsalResult } from '../report/summary.js'
import type { RehearsalState } from '../state.js'
import { createClock, type RolloutEvent } from '../timeline.js'
import { apiMessage, connect, type ClusterTarget, type Kube } from './client.js'
import { PodObserver } from './observer.js'
import { Rollout } from './rollout.js'

type KubeObject = { apiVersion?: string, kind?: string, metadata?: { name?: string, namespace?: string } }

// Only a real API server runs what follows: cluster/test/rehearse-cluster.test.ts drives it against the
// repository's Kubernetes fixture, which this package's tests do not start, so it is left out of their coverage.
/* c8 ignore start */
export async function rehearseOnCluster (opts: ResolvedOptions, caller: RehearseOptions, target: ClusterTarget): Promise<RehearsalResult> {
  const kube = await connect(target)
  const state: RehearsalState = {
    opts,
    clock: createClock(),
    pid1: 'container',
    podEvents: [],
    rolloutEvents: [],
    allPods: [],
    outcome: 'complete',
    finalVersion: opts.scenario === 'rolling-update' ? opts.newVersion : opts.oldVersion
  }
  const run = new ClusterRun(kube, opts, caller, target, state)
  try {
    await run.run()
  } finally {
    await run.cleanUp()
  }
  state.podEvents.sort((a, b) => a.at - b.at)
  return summarize(state)
}

class ClusterRun {
  private readonly namespace: string
  private readonly ownNamespace: boolean
  private created: KubeObject[] = []
  private observer: PodObserver | undefined

  constructor (
    private readonly kube: Kube,
    private readonly opts: ResolvedOptions,
    private readonly caller: RehearseOptions,
    private readonly target: ClusterTarget,
    private readonly state: RehearsalState
  ) {
    this.ownNamespace = target.namespace === undefined
    this.namespace = target.namespace ?? `zerodown-rehearse-${randomBytes(3).toString('hex')}`
  }

  private aborted (): boolean { return this.caller.signal?.aborted === true }
  /** Waits, or less when the run is stopped. */
  private async pause (ms: number): Promise<void> {
    await sleep(ms, undefined, this.caller.signal === undefined ? {} : { signal: this.caller.signal }).catch(() => {})
  }

  private event (kind: RolloutEvent['kind'], detail?: string): void {
    this.state.rolloutEvents.push({ at: this.state.clock.now(), kind, ...(detail !== undefined && { detail }) })
  }

  private fail (step: string, err: unknown): never {
    throw new RehearseClusterError(this.kube.name, `${step} in namespace ${this.namespace}: ${apiMessage(err)}`)
  }

  async run (): Promise<void> {
    const spec = this.opts.deployment
    if (this.ownNamespace) {
      await this.kube.core.createNamespace({ body: { metadata: { name: this.namespace, labels: { 'app.kubernetes.io/managed-by': 'zerodown-rehearse' } } } }).catch((err) => this.fail('creating the namespace', err))
    }
    for (const object of spec.objects as KubeObject[]) {
      const body = { ...structuredClone(object), metadata: { ...object.metadata, namespace: this.namespace } }
      if (body.kind === 'Deployment') Rollout.setVersion(body, this.opts, this.opts.oldVersion, this.opts.cluster?.oldImage)
      await this.kube.objects.create(body).catch((err) => this.fail(`creating ${String(object.kind)} ${object.metadata?.name ?? ''}`, err))
      this.created.push(body)
    }
    const rollout = new Rollout(this.kube, this.namespace, this.opts, this.state, (kind, detail) => this.event(kind, detail), () => this.aborted())
    this.observer = new PodObserver(this.kube, this.namespace, await rollout.selector(), this.state)
    this.observer.start()
    if (!await rollout.available(() => this.observer!.error)) return
    this.event('initial-available', `${spec.replicas} × ${this.opts.oldVersion}`)
    const url = this.target.url ?? await this.serviceUrl()
    this.state.cluster = { context: this.kube.name, namespace: this.namespace, url }
    this.state.load = startLoad(urlTarget(url), this.state.clock, this.opts.load)
    await this.pause(this.opts.warmupMs)
    if (this.aborted()) return
    this.state.rolloutStartedAt = this.state.clock.now()
    await rollout.run(this.observer)
    if (this.state.outcome !== 'complete' || this.aborted()) return
    await rollout.oldPodsEnded(this.observer)
    this.state.oldGoneAt = this.state.clock.now()
    await this.pause(this.opts.tailMs)
  }

  /** The Service the manifest created: its ClusterIP and port, reachable from inside the cluster's network. */
  private async serviceUrl (): Promise<string> {
    const service = this.created.find((o) => o.kind === 'Service')
    if (service === undefined) throw new RehearseClusterError(this.kube.name, 'the manifest has no Service to send the load to; give --url')
    const read = await this.kube.core.readNamespacedService({ name: service.metadata!.name!, namespace: this.namespace }).catch((err) => this.fail('reading the Service', err))
    const port = read.spec?.ports?.[0]?.port ?? 80
    return `http://${read.spec?.clusterIP ?? ''}:${port}`
  }

  /** Deletes what the run created: its own namespace, or its objects in the user's. */
  async cleanUp (): Promise<void> {
    await Promise.all([this.state.load?.stop(), this.observer?.stop()])
    this.state.endedAt = this.state.clock.now()
    if (this.aborted() && this.state.outcome === 'complete') this.state.outcome = 'aborted'
    if (this.ownNamespace) {
      await this.kube.core.deleteNamespace({ name: this.namespace }).catch(() => {})
      return
    }
    for (const object of this.created.reverse()) await this.kube.objects.delete(object).catch(() => {})
  }
}
/* c8 ignore stop */
