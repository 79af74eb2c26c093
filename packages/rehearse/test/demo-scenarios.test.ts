// The demo under the other scenarios, with the same values and the same counting as demo.test.ts:
// a drain of the node, a rollback half way, a restart. Zero failed requests each.
import { fileURLToPath } from 'node:url'
import { test, type Test } from 'tap'
import { deploymentFromValues } from '../src/index.js'
import { rehearseClean } from './fixtures/helpers.js'

const values = fileURLToPath(new URL('../../../deploy/examples/rehearsal.yaml', import.meta.url))
const demo = fileURLToPath(new URL('../../../apps/demo/dist/server.js', import.meta.url))

const scenario = async (t: Test, name: 'node-drain' | 'rollback' | 'restart') => rehearseClean(t, {
  deployment: await deploymentFromValues([values], { release: 'rehearsal' }), command: ['node', demo], oldVersion: 'v1.0.0', newVersion: 'v2.0.0', scenario: name, load: { slowPath: '/work?ms=300' }
})

test('node-drain: every pod evicted through the PodDisruptionBudget, replaced without surge, zero failures', async (t) => {
  const result = await scenario(t, 'node-drain')
  t.equal(result.outcome, 'complete')
  t.same(result.failures, { status: 0, reset: 0, refused: 0, timeout: 0 }, JSON.stringify(result.failedRequests.slice(0, 5)))
  t.match(result.rolloutEvents.find((e) => e.kind === 'rollout-started')?.detail, /node drain: 3 pods to evict, maxUnavailable 1 \(PodDisruptionBudget rehearsal-/)
  const evicted = result.rolloutEvents.filter((e) => e.kind === 'evicted').map((e) => e.detail)
  t.equal(evicted.length, 3)
  t.equal(result.rolloutEvents.filter((e) => e.kind === 'scaled').length, 0, 'no surge: the ReplicaSet only replaces')
  t.same(result.versions, { old: 'v1.0.0', new: 'v1.0.0', final: 'v1.0.0' })
  for (const name of evicted) t.equal(result.pods.find((p) => p.name === name)?.exit, 'code 0', `${name} drained and exited 0`)
  t.equal(result.pods.length, 6)
  t.ok(result.afterRollout.requests > 0)
})

test('rollback: undone half way, the old template rolls back in, zero failures, only v1 afterwards', async (t) => {
  const result = await scenario(t, 'rollback')
  t.equal(result.outcome, 'complete')
  t.same(result.failures, { status: 0, reset: 0, refused: 0, timeout: 0 }, JSON.stringify(result.failedRequests.slice(0, 5)))
  t.match(result.rolloutEvents.find((e) => e.kind === 'rolled-back')?.detail, /kubectl rollout undo with 2 of 3 on v2\.0\.0/)
  const served = new Set(result.versionsOverTime.flatMap((bucket) => Object.keys(bucket.byVersion)))
  t.same([...served].sort(), ['v1.0.0', 'v2.0.0'], 'v2 served before the undo')
  t.equal(result.versions.final, 'v1.0.0')
  t.equal(result.afterRollout.otherVersion, 0, 'only v1 after the last v2 pod was gone')
  for (const pod of result.pods.filter((p) => p.version === 'v2.0.0')) t.equal(pod.exit, 'code 0', `${pod.name} (v2) drained and exited 0`)
})

test('restart: a new ReplicaSet of the same version replaces every pod, zero failures', async (t) => {
  const result = await scenario(t, 'restart')
  t.equal(result.outcome, 'complete')
  t.same(result.failures, { status: 0, reset: 0, refused: 0, timeout: 0 }, JSON.stringify(result.failedRequests.slice(0, 5)))
  t.same(result.rolloutEvents.filter((e) => e.kind === 'scaled').map((e) => e.detail),
    ['v1.0.0 0 -> 1', 'v1.0.0 3 -> 2', 'v1.0.0 1 -> 2', 'v1.0.0 2 -> 1', 'v1.0.0 2 -> 3', 'v1.0.0 1 -> 0'])
  const served = new Set(result.versionsOverTime.flatMap((bucket) => Object.keys(bucket.byVersion)))
  t.same([...served], ['v1.0.0'])
  t.equal(result.pods.length, 6)
  t.same(result.pods.map((p) => p.exit), ['code 0', 'code 0', 'code 0', 'torn down', 'torn down', 'torn down'])
})
