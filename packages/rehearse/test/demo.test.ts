// The project's claim, end to end: the demo app, under the manifest the deploy chart renders from its
// rehearsal values, rolls from v1 to v2 under keep-alive load with zero failed requests.
// The demo reads the pod contract's names (ZERODOWN_*), as any app that registers the plugins does.
import { fileURLToPath } from 'node:url'
import { test } from 'tap'
import { deploymentFromValues, formatSummary, RehearseManifestError } from '../src/index.js'
import { findNginx } from '../src/traffic/nginx.js'
import { nginxSkip, rehearseClean } from './fixtures/helpers.js'
import { maskSummary, readmeBlock } from './fixtures/readme.js'

const values = fileURLToPath(new URL('../../../deploy/examples/rehearsal.yaml', import.meta.url))
const demo = fileURLToPath(new URL('../../../apps/demo/dist/server.js', import.meta.url))

test('the demo rolls out v1 -> v2 with zero failed requests, and only v2 answers afterwards', async (t) => {
  const deployment = await deploymentFromValues([values])
  t.equal(deployment.terminationGracePeriodSeconds, 15, 'the chart rendered the rehearsal values (preStop 3 + timeout 10 + margin 2)')
  const result = await rehearseClean(t, { deployment, command: ['node', demo], oldVersion: 'v1.0.0', newVersion: 'v2.0.0', load: { slowPath: '/work?ms=300' } })

  t.equal(result.outcome, 'complete')
  t.same(result.failures, { status: 0, reset: 0, refused: 0, timeout: 0 }, JSON.stringify(result.failedRequests.slice(0, 5)))
  t.ok(result.totals.requests > 500, `steady load was sent (${result.totals.requests})`)
  const served = new Set(result.versionsOverTime.flatMap((bucket) => Object.keys(bucket.byVersion)))
  t.same([...served].sort(), ['v1.0.0', 'v2.0.0'], 'both versions served during the rollout')
  t.ok(result.afterRollout.requests > 0, 'load went on after the last old pod was gone')
  t.equal(result.afterRollout.otherVersion, 0, 'every request after the rollout was served by v2.0.0')
  t.ok(result.inFlightAtSigterm.total > 0, `requests were in flight at SIGTERM (${result.inFlightAtSigterm.total})`)
  for (const pod of result.pods.filter((p) => p.version === 'v1.0.0')) {
    t.equal(pod.exit, 'code 0', `${pod.name} drained and exited 0`)
  }
  t.same(result.pods.filter((p) => p.version === 'v2.0.0').map((p) => p.exit), ['torn down', 'torn down', 'torn down'], 'the new pods ran to the end')
  t.not(result.pid1, 'host', `the demo ran as PID 1 (${result.pid1})`)
  // The README's sample is this run's summary, numbers and pod names aside.
  t.same(maskSummary(formatSummary(result)), maskSummary(readmeBlock('console', 0).split('\n').slice(1).join('\n')), 'the README\'s sample summary')
})

for (const proxy of ['ingress', 'nginx'] as const) {
  const skip = proxy === 'nginx' ? nginxSkip(findNginx) : undefined
  test(`--proxy ${proxy}: the demo rolls out with zero failed requests and no request the proxy had to retry`, { ...(skip !== undefined && { skip }) }, async (t) => {
    const deployment = await deploymentFromValues([values])
    const result = await rehearseClean(t, { deployment, command: ['node', demo], oldVersion: 'v1.0.0', newVersion: 'v2.0.0', proxy, load: { slowPath: '/work?ms=300' } })
    t.equal(result.outcome, 'complete')
    t.equal(result.traffic.proxy, proxy)
    t.same(result.failures, { status: 0, reset: 0, refused: 0, timeout: 0 }, JSON.stringify(result.failedRequests.slice(0, 5)))
    t.equal(result.traffic.proxyRetried, 0, 'preStop 3 s + drain 1 s cover the 2 s removal delay: the proxy never met a closed pod')
    t.equal(result.ok, true)
    t.ok(result.totals.requests > 500, `steady load was sent (${result.totals.requests})`)
    t.ok(result.pods.filter((p) => p.version === 'v1.0.0').every((p) => p.exit === 'code 0'), 'every old pod drained and exited 0')
  })
}

test('values the chart refuses are a manifest error naming the value', async (t) => {
  const bad = t.testdir({ 'values.yaml': 'rollout:\n  maxSurge: lots\n' })
  await t.rejects(deploymentFromValues([`${bad}/values.yaml`]), RehearseManifestError)
  await t.rejects(deploymentFromValues([`${bad}/values.yaml`]), /rollout\.maxSurge: must be an integer or a percentage like "25%"/)
  await t.rejects(deploymentFromValues([`${bad}/missing.yaml`]), /missing\.yaml/)
})
