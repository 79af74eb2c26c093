// Notes printed with a render that succeeded: things the values cannot check because they depend on
// what already runs in the cluster (like Helm's NOTES.txt).
import type { Values } from './values.js'

/** What to do before applying, for values whose effect depends on the objects already in the cluster. */
export function notes (values: Values): string[] {
  const result: string[] = []
  if (values.autoscaling.enabled) {
    result.push(
      'autoscaling.enabled: the Deployment leaves spec.replicas to the HorizontalPodAutoscaler. If it already runs with ' +
      'replicas from an earlier apply, a client-side apply (kubectl apply, Argo CD\'s default) removes the field and ' +
      'Kubernetes scales it to 1 until the autoscaler catches up. Hand replicas over first: ' +
      '`kubectl apply set-last-applied -f <the rendered Deployment>` before `kubectl apply`, or with server-side apply ' +
      'see "Switching to the autoscaler" in the @zerodown/deploy README.'
    )
  }
  return result
}
