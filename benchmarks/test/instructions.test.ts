// The instruction budget for real: the plugins and their references under valgrind's callgrind,
// counted as `pnpm bench -- --budget` counts them, and judged. It needs valgrind, which .ci/run
// installs (scripts/install-valgrind.sh): it skips only where valgrind cannot be installed.
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'tap'
import { runCli as run } from './fixtures/cli.js'
import { dumpTotal, overBudget, type InstructionCount, type InstructionsResult, type PairedCount } from '../src/instructions.js'
import { BUDGET_RUN } from '../src/config.js'
import type { Results } from '../src/run.js'

const onPath = (name: string): boolean => (process.env.PATH ?? '').split(':').some((dir) => existsSync(join(dir, name)))
const skip = onPath('valgrind') && onPath('callgrind_control')
  ? false
  : process.getuid?.() !== 0 || !onPath('apt-get')
    ? 'valgrind is not on PATH and cannot be installed here (not root, or no apt-get)'
    : false

test('each plugin adds at most 1% to its reference\'s instructions per request, with and without a logger', { skip }, async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'zerodown-bench-'))
  t.teardown(() => rmSync(out, { recursive: true, force: true }))
  const { code, output } = await run(['--budget', '--out', out])
  t.equal(code, 0, output)
  t.match(output, /within budget: each plugin adds at most 1% to its reference's instructions per request/)
  const i = (JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results).instructions!
  t.match(i.valgrind, /^valgrind-\d+\.\d+/)
  t.same(i.config, BUDGET_RUN.instructions, 'counted as the budget counts')
  t.same(i.setups.map((s) => s.id), ['no-logger', 'logger'])
  for (const setup of i.setups) {
    t.same(setup.pairs.map((p) => [p.server.name, p.reference.name, p.judged]), [
      ['Fastify + @zerodown/shutdown', 'bare Fastify', true],
      ['Fastify + @zerodown/probes', 'bare Fastify', true],
      ['Fastify + @zerodown/version', 'bare Fastify setting the same header on every reply', true]
    ], `${setup.id}: each plugin alone, beside its reference`)
    for (const pair of setup.pairs) {
      const name = `${setup.id}, ${pair.server.name}`
      t.ok(pair.added.length >= 1 && pair.added.length === pair.server.processes.length && pair.added.length === pair.reference.processes.length, `${name}: counted in pairs`)
      for (const x of [pair.server, pair.reference]) {
        t.ok(x.processes.every((windows) => windows.length === i.config.windows), `${name}: one count per window`)
        // A hello-world request runs through Node.js' HTTP parser, Fastify's routing and V8: tens of thousands of instructions.
        t.ok(x.processes.flat().every((n) => Number.isFinite(n) && n > 10_000), `${name}: instructions were counted (${x.processes.flat().join(', ')})`)
        t.ok(x.idlePerSecond.length === x.processes.length && x.idlePerSecond.every((n) => Number.isFinite(n) && n >= 0), `${name}: idle work counted`)
      }
    }
  }
  t.match(output, /\| Fastify \+ @zerodown\/version \| [\d,]+ \| bare Fastify setting the same header on every reply \| [\d,]+ \| [+−][\d.]+%.* \(within the 1% budget\) \|/, 'it prints the counts')
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
