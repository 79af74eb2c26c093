// The sweep on the demo: the largest removal delay that still passes is close to preStop + drain.
import { fileURLToPath } from 'node:url'
import { test } from 'tap'
import { deploymentFromValues, sweep } from '../src/index.js'

const values = fileURLToPath(new URL('../../../deploy/examples/rehearsal.yaml', import.meta.url))
const demo = fileURLToPath(new URL('../../../apps/demo/dist/server.js', import.meta.url))

test('the demo\'s safety margin is within one step below preStop + drain (3 s + 1 s)', async (t) => {
  const deployment = await deploymentFromValues([values])
  t.equal(deployment.preStopSleepSeconds, 3)
  // Through the ingress model every request is balanced anew, so a delay past the moment a pod stops
  // listening (preStop + drain after deletion) meets that closed pod on every run, not only by chance.
  const result = await sweep(
    { deployment, command: ['node', demo], oldVersion: 'v1.0.0', newVersion: 'v2.0.0', proxy: 'ingress', warmupMs: 500, tailMs: 500, load: { slowPath: '/work?ms=300' } },
    { fromMs: 3500, stepMs: 500, maxRuns: 3 }
  )
  t.comment(JSON.stringify(result.sweep))
  t.equal(result.sweep?.stoppedBy, 'failure', 'a delay past preStop + drain fails')
  t.ok(result.sweep?.marginMs === 3500 || result.sweep?.marginMs === 4000, `margin ${result.sweep?.marginMs} ms: preStop + drain = 4000 ms, within one 500 ms step`)
  t.equal(result.ok, true, 'the result shown is the rehearsal at the margin, which passed')
  t.equal(result.traffic.removeDelayMs, result.sweep?.marginMs)
  t.same(result.sweep?.runs.filter((r) => !r.ok).length, 1, 'it stops at the first failure')
})
