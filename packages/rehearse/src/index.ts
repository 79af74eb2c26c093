export { rehearse, type Progress } from './rehearsal.js'
export type { RehearseOptions } from './options.js'
export { DEFAULT_MANIFEST } from './options.js'
export type { RehearsalResult, FailureKind, PodSummary, SecondBucket } from './summary.js'
export type { LoadOptions, Outcome, RequestRecord } from './load.js'
export { parseManifest, readManifestFile, type DeploymentSpec, type ProbeSpec } from './manifest.js'
export { deploymentFromValues } from './values.js'
export {
  resolveFenceposts, syncDeployment, syncReplicaSet, deploymentStatus, isAvailable, parseIntOrPercent,
  type Fenceposts, type IntOrPercent, type ObservedState, type PodView, type ReplicaSetView, type RolloutSpec,
  type SyncResult, type ScaleAction, type DeploymentStatus, type ReplicaSetAction
} from './controller.js'
export { renderHtmlReport } from './report-html.js'
export { formatSummary } from './format.js'
export { RehearseInvalidOptionError, RehearseManifestError, RehearseCommandError } from './errors.js'
export type { PodEvent, PodEventKind, RolloutEvent, RolloutEventKind } from './timeline.js'
