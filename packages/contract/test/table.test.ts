import { test } from 'tap'
import { contractTable, MIN_PROPAGATION_SECONDS, acceptsThroughPropagation, drainFitsTimeout, graceCoversShutdown, SETTINGS } from '../src/index.js'

test('the README table: one row per setting and the annotation, chart defaults beside numbers', async (t) => {
  const table = contractTable((path) => ({ 'shutdown.drainDelaySeconds': 5, 'probes.port': null, 'shutdown.propagationSeconds': 5 } as Record<string, unknown>)[path])
  const lines = table.split('\n')
  t.equal(lines.length, 2 + Object.keys(SETTINGS).length + 1)
  t.match(table, '| drain delay d | `shutdown.drainDelaySeconds` (5) | `ZERODOWN_DRAIN_DELAY_MS` | `@zerodown/shutdown` `drainDelay` |')
  t.match(table, '| probe port | `probes.port` (null: the app port) | `ZERODOWN_PROBE_PORT` (only when set) |')
  t.match(table, '| commit | — (image build) | `ZERODOWN_GIT_COMMIT` |')
  t.match(table, '| app port | `container.port` | `PORT` | — (the app\'s own `listen()`) |')
  t.match(lines.at(-1), /^\| propagation allowance P \| `shutdown.propagationSeconds` \(5\) \| — \(Deployment annotation `zerodown.dev\/propagation-seconds`\)/)
})

test('the timing rules, at their edges', async (t) => {
  t.ok(drainFitsTimeout({ timeout: 6, drainDelay: 5 }) && !drainFitsTimeout({ timeout: 5, drainDelay: 5 }))
  t.ok(acceptsThroughPropagation({ preStop: 3, drainDelay: 2, propagation: 5 }) && !acceptsThroughPropagation({ preStop: 3, drainDelay: 1, propagation: 5 }))
  t.ok(graceCoversShutdown({ grace: 30, preStop: 5, timeout: 20, margin: 5 }) && !graceCoversShutdown({ grace: 29, preStop: 5, timeout: 20, margin: 5 }))
  t.equal(MIN_PROPAGATION_SECONDS, 1)
})
