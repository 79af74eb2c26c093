// The instruction budget's judgement and the CLI around it. The counts themselves run in CI after
// pnpm test, alone on the machine (`pnpm --filter @zerodown/benchmarks bench -- --budget` in .ci/run
// and .github/workflows/ci.yml): under the suite's load, a plugin and its reference counted side by
// side drifted apart by up to 4%, more than the 1% judged.
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'tap'
import { runCli as run } from './fixtures/cli.js'
import { dumpTotal, overBudget, pairsToCount, type InstructionCount, type InstructionsResult, type PairedCount } from '../src/instructions.js'
import { BUDGET_RUN } from '../src/config.js'
import type { Results } from '../src/run.js'
import { renderReport } from '../src/report.js'

const BUDGET_RUN_RESULT = { config: BUDGET_RUN.instructions, valgrind: 'valgrind-3.19.0' }

const onPath = (name: string): boolean => (process.env.PATH ?? '').split(':').some((dir) => existsSync(join(dir, name)))
const skip = onPath('valgrind') && onPath('callgrind_control')
  ? false
  : process.getuid?.() !== 0 || !onPath('apt-get')
    ? 'valgrind is not on PATH and cannot be installed here (not root, or no apt-get)'
    : false

test('the counts for real, in the tiny configuration (its figures mean nothing): each plugin beside its reference', { skip }, async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'zerodown-bench-'))
  t.teardown(() => rmSync(out, { recursive: true, force: true }))
  const { code, output } = await run(['--smoke', '--only', 'instructions', '--out', out])
  t.equal(code, 0, output)
  const i = (JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results).instructions!
  t.match(i.valgrind, /^valgrind-\d+\.\d+/)
  t.same(i.setups.map((s) => s.id), ['no-logger', 'logger'])
  for (const setup of i.setups) {
    t.same(setup.pairs.map((p) => [p.server.name, p.reference.name, p.judged]), [
      ['Fastify + @zerodown/shutdown', 'bare Fastify', true],
      ['Fastify + @zerodown/probes', 'bare Fastify', true],
      ['Fastify + @zerodown/version', 'bare Fastify setting the same header on every reply', true]
    ], `${setup.id}: each plugin alone, beside its reference`)
    for (const pair of setup.pairs) {
      const name = `${setup.id}, ${pair.server.name}`
      t.ok(pair.added.length === 1 && pair.server.processes.length === 1 && pair.reference.processes.length === 1, `${name}: one pair`)
      for (const x of [pair.server, pair.reference]) {
        t.ok(x.processes.every((windows) => windows.length === i.config.windows), `${name}: one count per window`)
        // A hello-world request runs through Node.js' HTTP parser, Fastify's routing and V8: tens of thousands of instructions.
        t.ok(x.processes.flat().every((n) => Number.isFinite(n) && n > 10_000), `${name}: instructions were counted (${x.processes.flat().join(', ')})`)
        t.ok(x.idlePerSecond.length === 1 && x.idlePerSecond.every((n) => Number.isFinite(n) && n >= 0), `${name}: idle work counted`)
      }
    }
  }
  const report = readFileSync(join(out, 'BENCHMARKS.md'), 'utf8')
  t.match(report, /## 6\. Instructions per request/)
  t.match(report, /\| Fastify \+ @zerodown\/version \| [\d,]+ \| bare Fastify setting the same header on every reply \| [\d,]+ \| [+−][\d.]+% \((within|\*\*over\*\*) the 1% budget\) \|/, 'the report carries the figures')
})

/** A server counted as `perProcess`, each process one window. */
const counted = (name: string, perProcess: number[]): InstructionCount => ({
  name,
  processes: perProcess.map((n) => [n]),
  idlePerSecond: perProcess.map(() => 0),
  perRequest: { median: perProcess[0]!, min: Math.min(...perProcess), max: Math.max(...perProcess), n: perProcess.length }
})
/** A plugin and its reference, counted in pairs: one number of each per pair. */
const pair = (server: number[], reference: number[], judged = true): PairedCount => ({
  server: counted('Fastify + plugin', server),
  reference: counted('bare Fastify', reference),
  added: server.map((n, k) => n / reference[k]! - 1),
  judged
})
const result = (...pairs: PairedCount[]): InstructionsResult => ({
  config: BUDGET_RUN.instructions,
  valgrind: 'valgrind-3.19.0',
  setups: [{ id: 'no-logger', name: '`logger: false`', pairs }]
})

test('the budget: each plugin alone against its reference, by the pair that added least', async (t) => {
  t.same(overBudget(result(pair([50_500], [50_000]), pair([51_509], [51_000]))), [], 'up to 1%, within')
  t.same(overBudget(result(pair([50_501], [50_000]))), [{ setup: '`logger: false`', plugin: 'Fastify + plugin', reference: 'bare Fastify', added: 50_501 / 50_000 - 1 }], 'beyond 1%, over')
  t.same(overBudget(result(pair([53_000, 52_000], [50_000, 51_800]))), [], 'a pair that added little is enough: the other moved with the machine')
  t.same(overBudget(result(pair([60_000], [50_000], false))), [], 'what is not a plugin alone is reported, not judged')
})

test('what is counted: each plugin beside its reference; for the report, also the three together and the header itself', async (t) => {
  const names = (servers: 'all' | 'budget'): string[][] => pairsToCount({ ...BUDGET_RUN.instructions, servers }).map((p) => [p.server.name, p.reference.name, String(p.judged)])
  const plugins = [
    ['Fastify + @zerodown/shutdown', 'bare Fastify', 'true'],
    ['Fastify + @zerodown/probes', 'bare Fastify', 'true'],
    ['Fastify + @zerodown/version', 'bare Fastify setting the same header on every reply', 'true']
  ]
  t.same(names('budget'), plugins)
  t.same(names('all'), [
    ['bare Fastify setting the same header in its routes', 'bare Fastify', 'false'],
    ['bare Fastify setting the same header on every reply', 'bare Fastify', 'false'],
    ...plugins,
    ['Fastify + the three plugins', 'bare Fastify setting the same header on every reply', 'false']
  ])
})

test('figures counted before the pairs are not shown as if they were', async (t) => {
  const committed = JSON.parse(readFileSync(new URL('../results.json', import.meta.url), 'utf8')) as Results
  const older = { ...committed, instructions: { ...BUDGET_RUN_RESULT, setups: [{ id: 'no-logger', name: '`logger: false`' }] } } as unknown as Results
  const report = renderReport(older)
  t.match(report, /## 6\. Instructions per request\n\nThe figures in results\.json were counted before each server was counted beside its reference/)
  t.notMatch(report, /instructions per request, .* beyond /, 'and the summary lists none of them')
})

test('the overhead part points to what part 6 counted of the header and of the plugin', async (t) => {
  const committed = JSON.parse(readFileSync(new URL('../results.json', import.meta.url), 'utf8')) as Results
  const header = { ...pair([51_000], [50_000], false), server: counted('bare Fastify setting the same header on every reply', [51_000]) }
  const version = { ...pair([51_255], [51_000]), server: counted('Fastify + @zerodown/version', [51_255]) }
  const report = renderReport({ ...committed, instructions: result(header, version) })
  t.match(report, /Counted in instructions per request \(part 6, where one pair resolves about 3%\), `logger: false`: the header on every reply \+2\.00% beyond bare Fastify, @zerodown\/version \+0\.50% beyond it\./)
  t.match(report, /\| instructions per request, @zerodown\/version beyond bare Fastify, `logger: false` \| \+0\.50% \| at most \+1% \| met \|/, 'the summary judges it')
})

test('--budget runs alone', async (t) => {
  for (const extra of [['--smoke'], ['--only', 'instructions']]) {
    const { code, output } = await run(['--budget', ...extra])
    t.equal(code, 2, extra.join(' '))
    t.match(output, /--budget runs the instruction counts alone: leave out --smoke and --only/)
  }
})

test('without valgrind, the part says what to install before any part runs', async (t) => {
  // A PATH with Node.js and nothing else: no valgrind.
  const bin = mkdtempSync(join(tmpdir(), 'zerodown-path-'))
  t.teardown(() => rmSync(bin, { recursive: true, force: true }))
  symlinkSync(process.execPath, join(bin, 'node'))
  const { code, output } = await run(['--only', 'instructions', '--out', bin], { ...process.env, PATH: bin })
  t.equal(code, 2)
  t.match(output, /the instructions part counts with valgrind's callgrind \(valgrind and callgrind_control on the PATH\), which cannot be run here .*install valgrind/)
})

test('a callgrind dump gives its total, anything else is refused by name', async (t) => {
  t.equal(dumpTotal('# callgrind format\nevents: Ir\nsummary: 123\ntotals: 372159923\n', 'callgrind.1.1'), 372159923)
  t.throws(() => dumpTotal('not a dump', '/tmp/x.1'), /\/tmp\/x\.1 has no "totals:" line: not a callgrind dump/)
})
