// The fidelity page is the results file, rendered: it cannot say what the last run did not measure.
// And the pieces of the real run that need no cluster: the watch stream's parser.
import { readFileSync } from 'node:fs'
import { test } from 'tap'
import { JsonStream } from '../src/fidelity/json-stream.js'
import { SCENARIOS } from '../src/fidelity/scenarios.js'
import { fidelityMarkdown, type FidelityResults } from '../src/fidelity/table.js'

const results = JSON.parse(readFileSync(new URL('../fidelity-results.json', import.meta.url), 'utf8')) as FidelityResults

test('FIDELITY.md is the committed results, rendered', async (t) => {
  const page = readFileSync(new URL('../../FIDELITY.md', import.meta.url), 'utf8')
  t.equal(page, fidelityMarkdown(results), 'regenerate both with pnpm --filter @zerodown/cluster fidelity')
})

test('the committed results cover every row, and every row agrees', async (t) => {
  t.same(results.rows.map((row) => row.id).sort(), SCENARIOS.map((s) => s.id).sort())
  for (const row of results.rows) {
    t.equal(row.real.verdict, row.expect, `${row.id}: the real cluster`)
    t.equal(row.rehearsed.verdict, row.expect, `${row.id}: the rehearsal`)
  }
  t.ok(results.propagationMs.pods >= 9, 'the floor is measured over the old pods of several rows')
})

test('the watch stream: concatenated JSON values, split across chunks, strings with braces', async (t) => {
  const values: unknown[] = []
  const stream = new JsonStream((value) => values.push(value))
  const text = '{\n  "type": "ADDED",\n  "object": { "name": "a{b}\\"c" }\n}{"type":"DELETED","object":{"list":[1,{"x":"]"}]}}\n'
  for (let i = 0; i < text.length; i += 7) stream.push(text.slice(i, i + 7))
  t.same(values, [{ type: 'ADDED', object: { name: 'a{b}"c' } }, { type: 'DELETED', object: { list: [1, { x: ']' }] } }])
})
