// The probes of one pod's container, as the kubelet's prober runs them (R5, R8): startup first, then
// readiness and liveness; startup and liveness stop at deletion and once the kubelet stops the
// container, readiness goes on while the container runs, deleted or not (its result is `serving`).
import type { DeploymentSpec } from '../manifest/manifest.js'
import type { RunningContainer } from '../runtime/runtime.js'
import { ProbeWorker, type ProbeKind } from './probe.js'

/** What the probes need of their pod, and tell it. */
export interface ProbedPod {
  readonly spec: DeploymentSpec
  readonly port: number
  readonly probePort: number | undefined
  /** The kubelet is stopping the container (deletion, failed liveness or startup, teardown). */
  stopping: () => boolean
  terminating: () => boolean
  failed: (detail: string) => void
  setReady: (ready: boolean, detail: string) => void
  restartContainer: (reason: string) => void
}

export class PodProbes {
  /** The startup probe passed (or there is none). */
  started = false
  private workers: Partial<Record<ProbeKind, ProbeWorker>> = {}

  constructor (private readonly pod: ProbedPod) {}

  start (container: RunningContainer): void {
    const { spec } = this.pod
    this.started = spec.startupProbe === undefined
    const gates: Record<ProbeKind, () => boolean> = {
      startup: () => container.running && !this.pod.stopping() && !this.pod.terminating() && !this.started,
      liveness: () => container.running && !this.pod.stopping() && !this.pod.terminating() && this.started,
      readiness: () => container.running && this.started
    }
    const make = (kind: ProbeKind, onChange: (ok: boolean, detail: string) => void): void => {
      const probeSpec = kind === 'startup' ? spec.startupProbe : kind === 'readiness' ? spec.readinessProbe : spec.livenessProbe
      if (probeSpec === undefined) return
      const worker = new ProbeWorker({
        kind,
        spec: probeSpec,
        port: probeSpec.onProbePort && this.pod.probePort !== undefined ? this.pod.probePort : this.pod.port,
        gate: gates[kind],
        onChange,
        onFailure: (detail) => this.pod.failed(`${kind}: ${detail}`)
      })
      this.workers[kind] = worker
      worker.start()
    }
    make('startup', (ok, detail) => {
      if (ok) {
        this.started = true
        this.stop('startup')
        if (spec.readinessProbe === undefined) this.pod.setReady(true, 'started')
      } else {
        this.pod.restartContainer(`startup probe failed ${spec.startupProbe!.failureThreshold} times (${detail})`)
      }
    })
    make('readiness', (ok, detail) => this.pod.setReady(ok, detail))
    make('liveness', (ok, detail) => {
      if (!ok) this.pod.restartContainer(`liveness probe failed ${spec.livenessProbe!.failureThreshold} times (${detail})`)
    })
    // Without startup and readiness probes a container is ready once it runs.
    if (spec.startupProbe === undefined && spec.readinessProbe === undefined) this.pod.setReady(true, 'no probes')
  }

  /** Stops these probes, or every one. */
  stop (...kinds: ProbeKind[]): void {
    for (const kind of kinds.length > 0 ? kinds : Object.keys(this.workers) as ProbeKind[]) {
      this.workers[kind]?.stop()
      delete this.workers[kind]
    }
  }
}
