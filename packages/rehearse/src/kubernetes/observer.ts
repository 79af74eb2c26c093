// What a rehearsal on a real cluster sees of its pods, read every 250 ms from the API server: when each
// was created, got ready, was deleted, was stopped by the kubelet (its Killing event) and how its
// container ended, with the last lines of its log. The same pod events and records as the model's,
// so the same report reads them.
import type { PodPhase } from '../kubelet/pod.js'
import type { PodRecord, RehearsalState } from '../state.js'
import type { PodEventKind } from '../timeline.js'
import { apiMessage, type Kube } from './client.js'

// Only a real API server runs this file: cluster/test/rehearse-cluster.test.ts drives it against the
// repository's Kubernetes fixture, which this package's tests do not start, so it is left out of their coverage.
/* c8 ignore start */
const POLL_MS = 250
const LOG_LINES = 50

interface PodObject {
  metadata?: { name?: string, labels?: Record<string, string>, deletionTimestamp?: Date | string }
  spec?: { containers?: Array<{ image?: string, env?: Array<{ name: string, value?: string }> }> }
  status?: {
    conditions?: Array<{ type: string, status: string }>
    containerStatuses?: Array<{ restartCount?: number, state?: { terminated?: { exitCode: number, reason?: string } } }>
  }
}

export class ClusterPod implements PodRecord {
  readonly port = 0
  deletedAt: number | undefined
  restarts = 0
  output: string[] = []
  phase: PodPhase = 'running'
  ready = false
  /** The pod-template-hash: which ReplicaSet it belongs to. */
  readonly hash: string
  killingAt: number | undefined
  exited = false

  constructor (readonly name: string, readonly version: string, readonly env: Record<string, string>, readonly createdAt: number, hash: string) {
    this.hash = hash
  }

  get terminating (): boolean { return this.deletedAt !== undefined }
}

export class PodObserver {
  readonly pods = new Map<string, ClusterPod>()
  private timer: NodeJS.Timeout | undefined
  private polling: Promise<void> | undefined
  private readonly seenEvents = new Set<string>()
  /** The last failure to read, when every read fails. */
  error: string | undefined

  constructor (
    private readonly kube: Kube,
    private readonly namespace: string,
    private readonly selector: string,
    private readonly state: RehearsalState
  ) {}

  start (): void {
    const tick = (): void => {
      this.polling = this.poll().finally(() => { this.timer = setTimeout(tick, POLL_MS) })
    }
    tick()
  }

  async stop (): Promise<void> {
    clearTimeout(this.timer)
    await this.polling
    clearTimeout(this.timer)
  }

  private emit (pod: string, kind: PodEventKind, detail?: string, at = this.state.clock.now()): void {
    this.state.podEvents.push({ at, pod, kind, ...(detail !== undefined && { detail }) })
  }

  private async poll (): Promise<void> {
    try {
      const list = await this.kube.core.listNamespacedPod({ namespace: this.namespace, labelSelector: this.selector })
      const seen = new Set<string>()
      for (const item of list.items as PodObject[]) {
        const name = item.metadata?.name
        if (name === undefined) continue
        seen.add(name)
        this.update(this.record(name, item), item)
      }
      for (const pod of this.pods.values()) {
        if (!seen.has(pod.name) && pod.phase !== 'terminated') {
          pod.phase = 'terminated'
          this.emit(pod.name, 'terminated')
        }
      }
      await this.killings()
      await this.logs()
      this.error = undefined
    } catch (err) {
      this.error = apiMessage(err)
    }
  }

  private record (name: string, item: PodObject): ClusterPod {
    let pod = this.pods.get(name)
    if (pod === undefined) {
      const container = item.spec?.containers?.[0]
      const env = Object.fromEntries((container?.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]))
      const version = env[this.state.opts.versionEnv] ?? container?.image?.split(':').at(-1) ?? ''
      pod = new ClusterPod(name, version, { ...this.state.opts.deployment.env, ...env }, this.state.clock.now(), item.metadata?.labels?.['pod-template-hash'] ?? '')
      this.pods.set(name, pod)
      this.state.allPods.push(pod)
      this.emit(name, 'created', version)
    }
    return pod
  }

  private update (pod: ClusterPod, item: PodObject): void {
    const ready = item.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true
    if (ready !== pod.ready) {
      pod.ready = ready
      this.emit(pod.name, ready ? 'ready' : 'not-ready')
    }
    if (item.metadata?.deletionTimestamp !== undefined && pod.deletedAt === undefined) {
      pod.deletedAt = this.state.clock.now()
      pod.phase = 'terminating'
      this.emit(pod.name, 'deleted')
    }
    const status = item.status?.containerStatuses?.[0]
    pod.restarts = status?.restartCount ?? pod.restarts
    const terminated = status?.state?.terminated
    if (terminated !== undefined && !pod.exited) {
      pod.exited = true
      // In a container a signal's death reads as 128 + its number.
      const exit = terminated.exitCode === 137 ? 'signal SIGKILL' : terminated.exitCode === 143 ? 'signal SIGTERM' : `code ${terminated.exitCode}`
      if (terminated.exitCode === 137) this.emit(pod.name, 'sigkill')
      this.emit(pod.name, 'exited', exit)
    }
  }

  /** The kubelet's Killing events: it runs the preStop hook, then sends the stop signal. */
  private async killings (): Promise<void> {
    const events = await this.kube.core.listNamespacedEvent({ namespace: this.namespace, fieldSelector: 'reason=Killing' })
    for (const event of events.items) {
      const uid = event.metadata?.uid ?? ''
      const pod = this.pods.get(event.involvedObject?.name ?? '')
      if (this.seenEvents.has(uid) || pod === undefined || pod.killingAt !== undefined) continue
      this.seenEvents.add(uid)
      pod.killingAt = this.state.clock.now()
      // The signal follows the hook; for a sleep, its length is when.
      this.emit(pod.name, 'sigterm', undefined, pod.killingAt + this.state.opts.deployment.preStopSleepSeconds * 1000)
    }
  }

  /** The log's last lines of each pod that is being deleted, read until its container has exited. */
  private async logs (): Promise<void> {
    for (const pod of this.pods.values()) {
      if (pod.deletedAt === undefined || pod.phase === 'terminated' || (pod.exited && pod.output.length > 0)) continue
      try {
        const text = await this.kube.core.readNamespacedPodLog({ name: pod.name, namespace: this.namespace, tailLines: LOG_LINES })
        pod.output = String(text).split('\n').filter((line) => line !== '')
      } catch {}
    }
  }
}
/* c8 ignore stop */
