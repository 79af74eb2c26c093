#!/usr/bin/env node
// pnpm bench: runs the benchmarks and writes benchmarks/results.json and BENCHMARKS.md.
//   --only overhead,rollout   some parts only (the others keep their figures from results.json);
//                             the parts: overhead, probes, shutdown, rollout, memory, instructions
//                             (instructions needs valgrind)
//   --runs N                  rollout runs per app
//   --pairs N                 overhead: pairs of servers per comparison
//   --processes N             instructions: processes per server
//   --no-settle               overhead: no garbage collection between startup and the load
//   --smoke                   the tiny configuration of the tests
//   --budget                  only the instruction counts that judge each plugin: exits 1 when one
//                             adds more than 1% to its reference's instructions per request
//   --out DIR                 write both files to DIR instead
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { BUDGET_RUN, FULL, PARTS, SMOKE, type BenchConfig, type Part } from './config.js'
import { BUDGET, overBudget, valgrindVersion } from './instructions.js'
import { BENCH_DIR } from './paths.js'
import { mergeResults } from './merge.js'
import { renderInstructionCounts, renderReport } from './report.js'
import { runBenchmarks, type Results } from './run.js'

function fail (message: string): never {
  console.error(message)
  process.exit(2)
}

function readPrevious (file: string): Results {
  try {
    const results = JSON.parse(readFileSync(file, 'utf8')) as Results
    if (!Array.isArray(results.config?.parts)) throw new Error('no config.parts')
    return results
  } catch (err) {
    fail(`--only keeps the other parts' figures from ${file}, which cannot be read (${(err as Error).message}); remove it or run every part`)
  }
}

const argv = process.argv.slice(2)
// `pnpm bench -- --only x` passes the "--" on.
if (argv[0] === '--') argv.shift()
let values: { only?: string, runs?: string, pairs?: string, processes?: string, smoke?: boolean, budget?: boolean, settle?: boolean, out?: string }
try {
  values = parseArgs({
    args: argv,
    options: {
      only: { type: 'string' },
      runs: { type: 'string' },
      pairs: { type: 'string' },
      processes: { type: 'string' },
      smoke: { type: 'boolean', default: false },
      budget: { type: 'boolean', default: false },
      settle: { type: 'boolean', default: true },
      out: { type: 'string' }
    },
    allowNegative: true
  }).values
} catch (err) {
  fail(`${(err as Error).message}; options: --only parts, --runs N, --pairs N, --processes N, --no-settle, --smoke, --budget, --out DIR`)
}

if (values.budget === true && (values.smoke === true || values.only !== undefined)) fail('--budget runs the instruction counts alone: leave out --smoke and --only')
const config: BenchConfig = structuredClone(values.budget === true ? BUDGET_RUN : values.smoke === true ? SMOKE : FULL)
if (values.only !== undefined) {
  const parts = values.only.split(',').map((p) => p.trim())
  const unknown = parts.filter((p) => !(PARTS as readonly string[]).includes(p))
  if (unknown.length > 0) fail(`--only must list parts among ${PARTS.join(', ')}, got ${JSON.stringify(unknown.join(','))}`)
  config.parts = parts as Part[]
}
if (values.runs !== undefined) {
  const runs = Number(values.runs)
  if (!Number.isInteger(runs) || runs < 1) fail(`--runs must be an integer >= 1, got ${JSON.stringify(values.runs)}`)
  config.rollout.runs = runs
}
if (values.pairs !== undefined) {
  const pairs = Number(values.pairs)
  if (!Number.isInteger(pairs) || pairs < 1) fail(`--pairs must be an integer >= 1, got ${JSON.stringify(values.pairs)}`)
  config.overhead.pairs = pairs
}

if (values.processes !== undefined) {
  const processes = Number(values.processes)
  if (!Number.isInteger(processes) || processes < 1) fail(`--processes must be an integer >= 1, got ${JSON.stringify(values.processes)}`)
  config.instructions.processes = processes
}

if (values.settle === false) config.overhead.settleHeap = false

// Said before an hour of other parts, not after.
if (config.parts.includes('instructions')) await valgrindVersion().catch((err: Error) => fail(err.message))

/* c8 ignore start -- the budget's counts run in CI after pnpm test, alone on the machine (.ci/run); its judgement is overBudget(), tested */
if (values.budget === true) {
  // A verdict, not figures for BENCHMARKS.md: its counts are written only where --out says.
  const results = await runBenchmarks(config, (line) => console.log(line))
  if (values.out !== undefined) writeFileSync(join(values.out, 'results.json'), JSON.stringify(results, null, 2) + '\n')
  console.log(renderInstructionCounts(results.instructions!).join('\n'))
  const over = overBudget(results.instructions!)
  for (const o of over) console.log(`over budget: ${o.plugin} adds ${(100 * o.added).toFixed(2)}% to the instructions per request of ${o.reference}, ${o.setup} (budget ${100 * BUDGET}%)`)
  if (over.length > 0) process.exit(1)
  console.log(`within budget: each plugin adds at most ${100 * BUDGET}% to its reference's instructions per request`)
  process.exit(0)
}
/* c8 ignore stop */

const resultsFile = values.out === undefined ? join(BENCH_DIR, 'results.json') : join(values.out, 'results.json')
const reportFile = values.out === undefined ? join(BENCH_DIR, '..', 'BENCHMARKS.md') : join(values.out, 'BENCHMARKS.md')
// With --only, the parts not run keep their earlier figures.
const previous = values.only !== undefined && existsSync(resultsFile) ? readPrevious(resultsFile) : undefined

let results = await runBenchmarks(config, (line) => console.log(line))
if (previous !== undefined) results = mergeResults(previous, results)
writeFileSync(resultsFile, JSON.stringify(results, null, 2) + '\n')
const report = renderReport(results)
writeFileSync(reportFile, report)
console.log(`\nwrote ${resultsFile} and ${reportFile}\n`)
console.log(report)
