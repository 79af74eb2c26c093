export { rehearse, type Progress } from './rehearsal.js'
export { sweep, type SweepOptions } from './sweep.js'
export { PROXIES, type ProxyKind } from './proxy.js'
export type { Endpoint, EndpointDelays } from './endpoints.js'
export type { RehearseOptions, PropagationDelayFrom, Scenario } from './options.js'
export { DEFAULT_MANIFEST, SCENARIOS } from './options.js'
export type { Pid1Model } from './container.js'
export type { RehearsalResult, FailureKind, PodSummary, SecondBucket, RequestSummary, SweepSummary } from './summary.js'
export type { LoadOptions, Outcome, RequestRecord } from './load.js'
export { parseLoadFile, readLoadFile, type LoadRequest, type ResolvedRequest } from './requests.js'
export { parseManifest, readManifestFile, PROPAGATION_ANNOTATION, type DeploymentSpec, type DisruptionBudget, type PreStopHook, type ProbeSpec } from './manifest.js'
export { CALLER_ENV, podEnv, type UnresolvedEnv } from './pod-env.js'
export { deploymentFromValues } from './values.js'
export {
  syncDeployment, syncReplicaSet, deploymentStatus, isAvailable, disruptionsAllowed,
  type Budget, type ObservedState, type PodView, type ReplicaSetView, type RolloutSpec,
  type SyncResult, type ScaleAction, type DeploymentStatus, type ReplicaSetAction
} from './controller.js'
export { renderHtmlReport } from './report-html.js'
export { formatSummary } from './format.js'
export { RehearseInvalidOptionError, RehearseManifestError, RehearseCommandError, RehearseLoadFileError, RehearseProxyError } from './errors.js'
export type { PodEvent, PodEventKind, RolloutEvent, RolloutEventKind } from './timeline.js'
