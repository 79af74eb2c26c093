// The cluster the scenarios act on: the Deployment's ReplicaSets and their pods, each pod with its
// kubelet (kubelet/pod.ts), and the controllers that run on every tick: the ReplicaSet controller
// (controller.ts, syncReplicaSet) and the EndpointSlice controller that feeds the traffic path (R8).
import { randomBytes } from 'node:crypto'
import { supports } from '@zerodown/deploy/kube-version'
import { RehearseCommandError } from '../errors.js'
import { podEnv } from '../kubelet/pod-env.js'
import { Pod } from '../kubelet/pod.js'
import type { RehearseOptions, ResolvedOptions } from '../options.js'
import { containerPod } from '../runtime/pod-container.js'
import type { RehearsalState } from '../state.js'
import type { TrafficProxy } from '../traffic/endpoints.js'
import { freePort } from '../traffic/loopback.js'
import { syncReplicaSet, type PodView, type ReplicaSetView } from './controller.js'
import { endpointSlice, routable } from './endpoint-slice.js'

export interface ReplicaSet {
  name: string
  version: string
  replicas: number
  /** Pods not yet terminated. */
  pods: Pod[]
}

const hex = (n: number): string => randomBytes(n).toString('hex')

export class Cluster {
  readonly sets: ReplicaSet[] = []
  /** Every pod made, terminated ones too. */
  readonly pods: Pod[] = []
  /** The ReplicaSet of the Deployment's current template. */
  current: ReplicaSet
  private published = ''
  private readonly ports = new Set<number>()

  constructor (
    private readonly state: RehearsalState,
    private readonly service: TrafficProxy,
    private readonly caller: Pick<RehearseOptions, 'onPodProcess'>
  ) {
    this.current = this.replicaSet(state.opts.oldVersion, state.opts.deployment.replicas)
  }

  private get opts (): ResolvedOptions { return this.state.opts }

  /** A new ReplicaSet of the Deployment, named as the controller names them: the Deployment and a hash. */
  replicaSet (version: string, replicas: number): ReplicaSet {
    const rs = { name: `${this.opts.deployment.name}-${hex(5)}`, version, replicas, pods: [] }
    this.sets.push(rs)
    return rs
  }

  /** What the controllers see of a ReplicaSet. */
  view (rs: ReplicaSet): ReplicaSetView {
    return {
      name: rs.name,
      replicas: rs.replicas,
      pods: rs.pods.map((p): PodView => ({
        name: p.name, createdAt: p.createdAt, terminating: p.terminating, ...(p.readySince !== undefined && !p.terminating && { readySince: p.readySince })
      }))
    }
  }

  /** The pod to show when a ReplicaSet makes no progress: one not ready, else any. */
  stuckPod (rs: ReplicaSet): Pod | undefined {
    return rs.pods.find((p) => !p.ready && !p.terminating) ?? rs.pods.find((p) => !p.terminating) ?? rs.pods[0]
  }

  /** The ReplicaSet controller and the EndpointSlice controller, one pass. */
  async reconcile (): Promise<void> {
    for (const rs of this.sets) {
      rs.pods = rs.pods.filter((p) => p.phase !== 'terminated')
      const action = syncReplicaSet(this.view(rs))
      for (const name of action.delete) rs.pods.find((p) => p.name === name)?.delete()
      for (let i = 0; i < action.create; i++) rs.pods.push(await this.createPod(rs))
    }
    const endpoints = routable(endpointSlice(this.pods), supports(this.opts.kube, 'terminatingEndpointFallback'))
    const key = endpoints.map((e) => e.pod).join(',')
    if (key !== this.published) {
      this.published = key
      this.service.publish(endpoints)
    }
    const broken = this.pods.find((p) => p.spawnError !== undefined)
    if (broken !== undefined) throw new RehearseCommandError(this.opts.containers?.engine.path ?? this.opts.command.join(' '), broken.spawnError!.message)
  }

  /** Each pod keeps its own port for the whole rehearsal, so no two pods ever share one. */
  private async uniquePort (): Promise<number> {
    let port = await freePort()
    while (this.ports.has(port)) port = await freePort()
    this.ports.add(port)
    return port
  }

  private async createPod (rs: ReplicaSet): Promise<Pod> {
    const { opts } = this
    const spec = opts.deployment
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
      clock: this.state.clock,
      pid1: this.state.pid1,
      ...(this.caller.onPodProcess !== undefined && { onProcess: this.caller.onPodProcess }),
      restartBackoffMs: opts.restartBackoffMs,
      onEvent: (event) => this.state.podEvents.push(event)
    })
    this.pods.push(pod)
    this.state.allPods.push(pod)
    return pod
  }
}
