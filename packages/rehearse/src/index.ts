export { rehearse, type Progress } from './rehearsal.js'
export { sweep, type SweepOptions } from './sweep.js'
export { PROXIES, type ProxyKind } from './proxy.js'
export type { Endpoint, EndpointDelays } from './endpoints.js'
export type { RehearseOptions, PropagationDelayFrom } from './options.js'
export { DEFAULT_MANIFEST } from './options.js'
export type { RehearsalResult, FailureKind, PodSummary, SecondBucket, RequestSummary, SweepSummary } from './summary.js'
export type { LoadOptions, Outcome, RequestRecord } from './load.js'
export { parseLoadFile, readLoadFile, type LoadRequest, type ResolvedRequest } from './requests.js'
export { parseManifest, readManifestFile, PROPAGATION_ANNOTATION, type DeploymentSpec, type ProbeSpec } from './manifest.js'
export { CALLER_ENV, podEnv, type UnresolvedEnv } from './pod-env.js'
export { deploymentFromValues } from './values.js'
export {
  resolveFenceposts, syncDeployment, syncReplicaSet, deploymentStatus, isAvailable, parseIntOrPercent,
  type Fenceposts, type IntOrPercent, type ObservedState, type PodView, type ReplicaSetView, type RolloutSpec,
  type SyncResult, type ScaleAction, type DeploymentStatus, type ReplicaSetAction
} from './controller.js'
export { renderHtmlReport } from './report-html.js'
export { formatSummary } from './format.js'
export { RehearseInvalidOptionError, RehearseManifestError, RehearseCommandError, RehearseLoadFileError, RehearseProxyError } from './errors.js'
export type { PodEvent, PodEventKind, RolloutEvent, RolloutEventKind } from './timeline.js'
