// How the kubelet stops a container (pkg/kubelet/kuberuntime/kuberuntime_container.go killContainer,
// R6, R9): the preStop hook, bounded by the grace period counted from `from`; then the stop signal at
// once, also when the hook failed (FailedPreStopHook); then SIGKILL when the grace period is over, but
// never sooner than 2 s after the hook.
import type { DeploymentSpec } from '../manifest/manifest.js'
import type { PodRuntime, RunningContainer } from '../runtime/runtime.js'
import type { Clock, PodEventKind } from '../timeline.js'
import { runPreStop } from './prestop.js'

/** The kubelet gives a container at least this long after preStop, whatever is left of the grace period. */
const MINIMUM_GRACE_MS = 2000

/** When SIGKILL follows the stop signal sent at `signalledAt`: at the grace period's end, but never less than 2 s later. */
export function sigkillAt (graceEnd: number, signalledAt: number): number {
  return Math.max(graceEnd, signalledAt + MINIMUM_GRACE_MS)
}

export interface Termination {
  spec: Pick<DeploymentSpec, 'preStop' | 'stopSignal' | 'terminationGracePeriodSeconds'>
  clock: Clock
  cwd?: string
  env: Record<string, string>
  runtime?: PodRuntime
  onProcess?: (pid: number, alive: boolean) => void
  emit: (kind: PodEventKind, detail?: string) => void
  /** Keeps a line of the hook's output with the pod's. */
  keep: (line: string) => void
  /** A timer the pod clears when it is torn down. */
  wait: (ms: number) => Promise<void>
}

export async function killContainer (container: RunningContainer, from: number, t: Termination): Promise<void> {
  if (!container.running) return
  const { preStop, stopSignal, terminationGracePeriodSeconds } = t.spec
  const graceEnd = from + terminationGracePeriodSeconds * 1000
  const exited = container.exited.then(() => undefined)
  if (preStop !== undefined && graceEnd > t.clock.now()) {
    const result = await runPreStop(preStop, {
      ...(t.cwd !== undefined && { cwd: t.cwd }),
      env: t.env,
      timeoutMs: graceEnd - t.clock.now(),
      containerExited: exited,
      onLine: (line) => t.keep(`preStop: ${line}`),
      ...(t.runtime !== undefined && { inside: t.runtime.exec }),
      ...(t.onProcess !== undefined && { onProcess: t.onProcess })
    })
    t.emit(result.ok ? 'prestop-done' : 'prestop-failed', result.detail)
  }
  if (!container.running) return
  t.emit('sigterm', stopSignal === 'SIGTERM' ? undefined : `${stopSignal} (lifecycle.stopSignal)`)
  await container.signal(stopSignal)
  const killAt = sigkillAt(graceEnd, t.clock.now())
  await Promise.race([t.wait(killAt - t.clock.now()), exited])
  if (!container.running) return
  t.emit('sigkill')
  container.killGroup()
}
