// The rollout on a real cluster, made as kubectl makes it: a new image or version in the template
// (kubectl set image, apply), a restart annotation (kubectl rollout restart), the old template back
// half way (kubectl rollout undo); then the Deployment's own status says when it is complete.
import { setTimeout as sleep } from 'node:timers/promises'
import { RehearseClusterError } from '../errors.js'
import type { ResolvedOptions } from '../options.js'
import type { RehearsalState } from '../state.js'
import type { RolloutEvent } from '../timeline.js'
import { apiMessage, type Kube } from './client.js'
import type { PodObserver } from './observer.js'

// Only a real API server runs this file: cluster/test/rehearse-cluster.test.ts drives it against the
// repository's Kubernetes fixture, which this package's tests do not start, so it is left out of their coverage.
/* c8 ignore start */
const POLL_MS = 250

interface Container { name?: string, image?: string, env?: Array<{ name: string, value?: string }> }
type DeploymentBody = { metadata?: { name?: string }, spec?: { template?: { spec?: { containers?: Container[] } } } }

export class Rollout {
  private readonly name: string

  constructor (
    private readonly kube: Kube,
    private readonly namespace: string,
    private readonly opts: ResolvedOptions,
    private readonly state: RehearsalState,
    private readonly event: (kind: RolloutEvent['kind'], detail?: string) => void,
    private readonly aborted: () => boolean
  ) {
    this.name = opts.deployment.name
  }

  /** The version, in the version variable, and the image when one is given, of the app container. */
  static setVersion (deployment: DeploymentBody, opts: ResolvedOptions, version: string, image?: string): void {
    const container = deployment.spec?.template?.spec?.containers?.[0]
    if (container === undefined) return
    if (image !== undefined) container.image = image
    const env = (container.env ?? []).filter((e) => e.name !== opts.versionEnv)
    container.env = [...env, { name: opts.versionEnv, value: version }]
  }

  private async deployment (): Promise<Record<string, any>> {
    return await this.kube.apps.readNamespacedDeployment({ name: this.name, namespace: this.namespace })
      .catch((err) => { throw new RehearseClusterError(this.kube.name, `reading Deployment ${this.name}: ${apiMessage(err)}`) }) as Record<string, any>
  }

  /** The label selector of the Deployment's pods, as `key=value,…`. */
  async selector (): Promise<string> {
    const labels = (await this.deployment()).spec?.selector?.matchLabels ?? {}
    return Object.entries(labels).map(([k, v]) => `${k}=${String(v)}`).join(',')
  }

  /** Waits until every replica runs the current template and is available; false when stuck or stopped. */
  async available (error: () => string | undefined = () => undefined): Promise<boolean> {
    const deadline = this.state.clock.now() + (this.opts.deployment.progressDeadlineSeconds + 30) * 1000
    while (!this.aborted()) {
      const d = await this.deployment()
      const s = d.status ?? {}
      const replicas = d.spec?.replicas ?? 1
      if ((s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) && s.updatedReplicas === replicas && s.availableReplicas === replicas && s.replicas === replicas) return true
      const progressing = (s.conditions ?? []).find((c: { type: string }) => c.type === 'Progressing')
      if (progressing?.reason === 'ProgressDeadlineExceeded' || this.state.clock.now() > deadline) {
        this.stuck(`no progress for progressDeadlineSeconds (${this.opts.deployment.progressDeadlineSeconds} s): ${progressing?.message ?? 'ProgressDeadlineExceeded'}${error() !== undefined ? `; ${error()!}` : ''}`)
        return false
      }
      await sleep(POLL_MS)
    }
    return false
  }

  private stuck (reason: string): void {
    this.state.outcome = 'stuck'
    this.state.stuckReason = reason
    this.event('deadline-exceeded', reason)
  }

  private async patch (body: object): Promise<void> {
    const { PatchStrategy } = this.kube.k8s
    await this.kube.objects.patch({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: this.name, namespace: this.namespace }, ...body },
      undefined, undefined, 'zerodown-rehearse', undefined, PatchStrategy.StrategicMergePatch)
      .catch((err) => { throw new RehearseClusterError(this.kube.name, `patching Deployment ${this.name}: ${apiMessage(err)}`) })
  }

  private versionPatch (version: string, image?: string): object {
    const container = this.opts.deployment.container
    const body: DeploymentBody = { spec: { template: { spec: { containers: [{ name: container, env: [] }] } } } }
    Rollout.setVersion(body, this.opts, version, image)
    return body
  }

  /** The scenario, then the wait for the Deployment to be complete. */
  async run (observer: PodObserver): Promise<void> {
    const { scenario, oldVersion, newVersion, cluster } = this.opts
    if (scenario === 'restart') {
      this.event('rollout-started', `kubectl rollout restart: a new ReplicaSet of ${oldVersion}`)
      await this.patch({ spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': new Date().toISOString() } } } } })
    } else {
      this.event('rollout-started', `${oldVersion} -> ${newVersion}`)
      const before = new Set([...observer.pods.values()].map((p) => p.hash))
      await this.patch(this.versionPatch(newVersion, cluster?.newImage))
      if (scenario === 'rollback') await this.undoHalfWay(observer, before)
    }
    if (await this.available()) {
      this.state.rolloutCompletedAt = this.state.clock.now()
      this.event('rollout-complete')
    }
  }

  /** `kubectl rollout undo` once half the replicas run the new version: the old template comes back. */
  private async undoHalfWay (observer: PodObserver, before: Set<string>): Promise<void> {
    const { replicas } = this.opts.deployment
    const half = Math.ceil(replicas / 2)
    while (!this.aborted() && [...observer.pods.values()].filter((p) => !before.has(p.hash) && p.ready && !p.terminating).length < half) await sleep(POLL_MS)
    this.event('rolled-back', `kubectl rollout undo with ${half} of ${replicas} on ${this.opts.newVersion}: the ${this.opts.oldVersion} template is the new one again`)
    await this.patch(this.versionPatch(this.opts.oldVersion, this.opts.cluster?.oldImage))
  }

  /** Waits until every pod outside the current ReplicaSet has ended (its grace period bounds the wait). */
  async oldPodsEnded (observer: PodObserver): Promise<void> {
    const current = await this.currentHash()
    const graceMs = this.opts.deployment.terminationGracePeriodSeconds * 1000 + 10_000
    const leaving = (): boolean => [...observer.pods.values()].some((p) => p.hash !== current && !p.exited && p.phase !== 'terminated' &&
      !(p.deletedAt !== undefined && this.state.clock.now() > p.deletedAt + graceMs))
    while (!this.aborted() && leaving()) await sleep(POLL_MS)
  }

  /** The pod-template-hash of the ReplicaSet of the Deployment's current revision. */
  private async currentHash (): Promise<string> {
    const revision = (await this.deployment()).metadata?.annotations?.['deployment.kubernetes.io/revision']
    const sets = await this.kube.apps.listNamespacedReplicaSet({ namespace: this.namespace, labelSelector: await this.selector() })
    const current = sets.items.find((rs) => rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] === revision)
    return current?.metadata?.labels?.['pod-template-hash'] ?? ''
  }
}
/* c8 ignore stop */
