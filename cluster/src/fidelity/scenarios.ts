// The fidelity table's rows: one rollout each, run in the real cluster and rehearsed, with the verdict
// both must give. The values go over deploy/examples/rehearsal.yaml (fast timings) and the images.
import type { ValuesOverride } from '@zerodown/deploy'
import { SETTINGS } from '@zerodown/contract'

export type Trigger = 'rolling-update' | 'rollback' | 'restart'

/**
 * Changes made to the rendered manifest, as a user who edits it by hand would: what lint refuses in
 * values (a drain shorter than P, a P of 0) can still reach a cluster that way, and must be rehearsed.
 */
export interface ManifestEdits {
  /** Removes the preStop hook. */
  noPreStop?: boolean
  /** Sets these variables of the app container, the chart's own included. */
  env?: Record<string, string>
  /** The zerodown.dev/propagation-seconds annotation, P. */
  propagationSeconds?: string
}

export interface FidelityScenario {
  id: string
  /** How the table names the row. */
  title: string
  /** Values over the rehearsal example's. */
  values: ValuesOverride
  edits?: ManifestEdits
  /** `kubectl apply` of the new version, `kubectl rollout undo` half way, or `kubectl rollout restart`. */
  trigger: Trigger
  /**
   * The real cluster's endpoint controllers batch pod changes this long (seconds), so endpoint changes
   * reach kube-proxy that much later, as through a slower load balancer. Default 0, the cluster's own.
   */
  endpointBatchSeconds?: number
  /** The app exits at once on SIGTERM instead of draining. */
  exitsOnSigterm?: boolean
  /** The verdict a correct model gives: the rollout drops nothing, or it drops requests. */
  expect: 'pass' | 'fail'
}

/** No preStop and P 0; the drain in milliseconds. */
const noDelays = (drainMs: number): ManifestEdits => ({ noPreStop: true, env: { [SETTINGS.drainDelay.env]: String(drainMs) }, propagationSeconds: '0' })

export const SCENARIOS: FidelityScenario[] = [
  { id: 'safe', title: 'the safe rollout (preStop 3 s, drain 1 s, P 2 s)', values: {}, trigger: 'rolling-update', expect: 'pass' },
  { id: 'unsafe', title: 'the unsafe control (preStop 0, drain 0, P 0)', values: {}, edits: noDelays(0), trigger: 'rolling-update', expect: 'fail' },
  { id: 'rollback', title: 'kubectl rollout undo half way (safe timings)', values: {}, trigger: 'rollback', expect: 'pass' },
  { id: 'restart', title: 'kubectl rollout restart (safe timings)', values: {}, trigger: 'restart', expect: 'pass' },
  { id: 'exits-at-once', title: 'an app that exits at once on SIGTERM (safe timings)', values: {}, trigger: 'rolling-update', exitsOnSigterm: true, expect: 'fail' },
  {
    // Without a slower path, kube-proxy's own 0.1-0.4 s is hardly longer than the kubelet takes to
    // signal the pod. A 2 s batch period gives the cluster a path of up to 2 s, as P says: a deletion
    // that joins a batch already waiting (a new pod got ready) goes out sooner, hence the short drain.
    id: 'short-drain',
    title: 'a drain shorter than the propagation (endpoint changes up to 2 s late; preStop 0, drain 300 ms, P 2 s)',
    values: {},
    edits: { noPreStop: true, env: { [SETTINGS.drainDelay.env]: '300' }, propagationSeconds: '2' },
    endpointBatchSeconds: 2,
    trigger: 'rolling-update',
    expect: 'fail'
  }
]

/** The app's start command when it exits at once on SIGTERM: a handler registered before the app's own. */
export function exitsOnSigtermCommand (server: string): string[] {
  return ['node', '--input-type=module', '-e', `process.once('SIGTERM', () => process.exit(0)); await import(${JSON.stringify(server)})`]
}
