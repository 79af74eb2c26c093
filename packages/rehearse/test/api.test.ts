// The public surface: what a user can import, values and types. Anything else stays internal, so the
// layout inside can change without a breaking release. A change here is a change of the API.
import { readFileSync } from 'node:fs'
import { test } from 'tap'
import * as api from '../src/index.js'

const VALUES = [
  'deploymentFromValues', 'formatSummary', 'parseLoadFile', 'parseManifest', 'readLoadFile', 'readManifestFile', 'rehearse', 'renderHtmlReport', 'sweep',
  'RehearseClusterError', 'RehearseCommandError', 'RehearseImageError', 'RehearseInvalidOptionError', 'RehearseLoadFileError', 'RehearseManifestError', 'RehearseProxyError', 'RehearseRuntimeError'
].sort()

const TYPES = [
  'ClusterTarget', 'DeploymentSpec', 'FailureKind', 'KilledAtGrace', 'LoadFile', 'LoadOptions', 'LoadRequest', 'LongLivedClients', 'LongLivedEntrySummary', 'LongLivedFailureKind',
  'LongLivedKind', 'LongLivedSummary', 'Outcome', 'Pid1Model', 'PodEvent', 'PodEventKind', 'PodSummary', 'Progress', 'ProxyKind', 'RehearsalResult', 'RehearseOptions',
  'RequestRecord', 'RequestSummary', 'RolloutEvent', 'RolloutEventKind', 'Scenario', 'SecondBucket', 'SweepOptions', 'SweepSummary', 'UncleanExit', 'UncleanReason',
  'ValuesRender'
].sort()

test('the values the package exports are rehearse, sweep, the parsers, the outputs and the errors', async (t) => {
  t.same(Object.keys(api).sort(), VALUES)
})

test('the types its declarations export are the options, the inputs and the result', async (t) => {
  const declarations = readFileSync(new URL('../dist/index.d.ts', import.meta.url), 'utf8')
  const names = [...declarations.matchAll(/export (?:type )?\{([^}]*)\}/g)].flatMap((m) => m[1]!.split(','))
    .map((name) => name.trim().replace(/^type /, '')).filter((name) => name !== '')
  t.same(names.filter((name) => !VALUES.includes(name)).sort(), TYPES)
  t.same(names.filter((name) => VALUES.includes(name)).sort(), VALUES, 'and the values, each once')
})
