// The Kubernetes version the manifests are rendered for (`--kube-version`, as `helm template
// --kube-version`): which API versions and fields the target knows. Without one, the chart renders for
// the current Kubernetes, where every feature below exists.
import { DeployInvalidArgumentError } from './errors.js'

export interface KubeVersion {
  major: 1
  minor: number
}

/** The oldest target the chart renders for: the first with Ingress v1, startup probes and seccompProfile fields. */
export const OLDEST_KUBE_MINOR = 20

/** What the chart uses that a Kubernetes version may lack, and the minor version that brought it. */
export const KUBE_FEATURES = {
  podDisruptionBudgetV1: { since: 21, what: 'policy/v1 PodDisruptionBudget' },
  autoscalingV2: { since: 23, what: 'autoscaling/v2 HorizontalPodAutoscaler' },
  gatewayApiV1: { since: 25, what: 'Gateway API v1 (HTTPRoute gateway.networking.k8s.io/v1)' },
  terminatingEndpointFallback: { since: 26, what: 'kube-proxy\'s fallback to terminating endpoints' },
  matchLabelKeys: { since: 27, what: 'topologySpreadConstraints matchLabelKeys' },
  nativeSidecars: { since: 29, what: 'native sidecars (init containers with restartPolicy Always)' },
  preStopSleep: { since: 30, what: 'the preStop sleep action' }
} as const

export type KubeFeature = keyof typeof KUBE_FEATURES

const FORM = /^v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+][0-9A-Za-z.+-]*)?$/

/** `1.20`, `v1.20`, `1.20.2` or `v1.20.2-gke.100` (what `kubectl version` prints): its major and minor. */
export function parseKubeVersion (text: string): KubeVersion {
  const match = FORM.exec(text)
  const minor = Number(match?.[2])
  if (match === null || match[1] !== '1' || !Number.isSafeInteger(minor)) {
    throw new DeployInvalidArgumentError('kube version', 'a Kubernetes version like 1.30 or v1.20.2', JSON.stringify(text))
  }
  if (minor < OLDEST_KUBE_MINOR) {
    throw new DeployInvalidArgumentError('kube version', `1.${OLDEST_KUBE_MINOR} or later (the chart's objects need it)`, JSON.stringify(text))
  }
  return { major: 1, minor }
}

export function formatKubeVersion (version: KubeVersion): string {
  return `${version.major}.${version.minor}`
}

/** Whether the target has a feature; no target means the current Kubernetes, which has them all. */
export function supports (target: KubeVersion | undefined, feature: KubeFeature): boolean {
  return target === undefined || target.minor >= KUBE_FEATURES[feature].since
}

/** "the target (Kubernetes 1.20) lacks X, which came in 1.30": for lint messages. */
export function lacks (target: KubeVersion, feature: KubeFeature): string {
  const { since, what } = KUBE_FEATURES[feature]
  return `the target, Kubernetes ${formatKubeVersion(target)}, lacks ${what} (Kubernetes 1.${since})`
}
