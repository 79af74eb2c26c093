// @zerodown/rehearse as a library: rehearse and sweep, the parsers of what they read, the outputs of
// what they return, their errors and types. Everything else is internal (test/api.test.ts guards it).
export { rehearse, type Progress } from './rehearsal.js'
export { sweep, type SweepOptions } from './sweep.js'
export { parseManifest, readManifestFile, type DeploymentSpec } from './manifest/manifest.js'
export { deploymentFromValues, type ValuesRender } from './manifest/values.js'
export { parseLoadFile, readLoadFile, type LoadFile, type LoadRequest } from './load/load-file.js'
export { formatSummary } from './report/format.js'
export { renderHtmlReport } from './report/html.js'
export {
  RehearseClusterError, RehearseInvalidOptionError, RehearseManifestError, RehearseCommandError, RehearseLoadFileError, RehearseProxyError, RehearseRuntimeError,
  RehearseImageError
} from './errors.js'
export type { RehearseOptions, Scenario } from './options.js'
export type { ClusterTarget } from './kubernetes/client.js'
export type { LoadOptions, Outcome, RequestRecord } from './load/requests.js'
export type { LongLivedClients, LongLivedKind } from './load/long-lived.js'
export type { ProxyKind } from './traffic/proxy.js'
export type { Pid1Model } from './runtime/process.js'
export type { RehearsalResult, FailureKind, PodSummary, SecondBucket, RequestSummary, SweepSummary } from './report/summary.js'
export type { UncleanExit, UncleanReason } from './report/exits.js'
export type { KilledAtGrace } from './report/killed.js'
export type { LongLivedEntrySummary, LongLivedFailureKind, LongLivedSummary } from './report/long-lived-summary.js'
export type { PodEvent, PodEventKind, RolloutEvent, RolloutEventKind } from './timeline.js'
