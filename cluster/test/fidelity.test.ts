// The fidelity table's rows as tests: each rollout runs in the real cluster and in the rehearsal, and
// both must give the verdict the row expects (a correct model's), with the same kinds of failure.
import { test } from 'tap'
import { Cluster } from '../src/index.js'
import { buildDemoImages, REPOSITORY_ROOT } from '../src/fidelity/images.js'
import { SCENARIOS } from '../src/fidelity/scenarios.js'
import { describeFailures } from '../src/fidelity/side.js'
import { baseValues, runRow } from '../src/fidelity/table.js'
import { clusterSkip } from './setup.js'

test('every fidelity row: the real cluster and the rehearsal agree', { skip: clusterSkip }, async (t) => {
  const images = await buildDemoImages()
  const cluster = await Cluster.up({ images })
  t.teardown(() => cluster.down())
  const base = baseValues(REPOSITORY_ROOT)
  for (const scenario of SCENARIOS) {
    await t.test(scenario.title, async (t) => {
      const row = await runRow(cluster, scenario, { base })
      const shown = `real ${describeFailures(row.real)} of ${row.real.requests}, rehearsed ${describeFailures(row.rehearsed)} of ${row.rehearsed.requests}`
      t.equal(row.real.verdict, scenario.expect, `the real cluster: ${shown}`)
      t.equal(row.rehearsed.verdict, scenario.expect, `the rehearsal: ${shown}`)
      t.ok(row.real.rolloutComplete && row.rehearsed.rolloutComplete, 'both rollouts completed')
      t.ok(row.real.requests > 100 && row.rehearsed.requests > 100, `load was sent (${row.real.requests}, ${row.rehearsed.requests})`)
      if (scenario.expect === 'fail') {
        // The same kind of failure on both sides: refused connections for a drain too short, resets
        // for an app that exits with requests in flight.
        const kind = scenario.exitsOnSigterm === true ? 'reset' : 'refused'
        t.ok(row.real.failures[kind] > 0, `the real cluster ${kind} requests: ${shown}`)
        t.ok(row.rehearsed.failures[kind] > 0, `the rehearsal ${kind} requests: ${shown}`)
      }
      // A rollback deletes the new pods made before the undo; the others replace all 3.
      const deleted = scenario.trigger === 'rollback' ? 1 : 3
      t.ok(row.real.oldPods.length >= deleted, `at least ${deleted} pods were deleted in the real cluster (${row.real.oldPods.length})`)
    })
  }
})
