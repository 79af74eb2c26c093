// The instructions part for real: the overhead's servers under valgrind's callgrind, in the tiny
// configuration (its figures mean nothing). It needs valgrind, which .ci/run installs
// (scripts/install-valgrind.sh): it skips only where valgrind cannot be installed.
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'tap'
import { runCli as run } from './fixtures/cli.js'
import { dumpTotal } from '../src/instructions.js'
import type { Results } from '../src/run.js'

const onPath = (name: string): boolean => (process.env.PATH ?? '').split(':').some((dir) => existsSync(join(dir, name)))
const skip = onPath('valgrind') && onPath('callgrind_control')
  ? false
  : process.getuid?.() !== 0 || !onPath('apt-get')
    ? 'valgrind is not on PATH and cannot be installed here (not root, or no apt-get)'
    : false

test('every server of the overhead part, counted under callgrind, with and without a logger', { skip }, async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'zerodown-bench-'))
  t.teardown(() => rmSync(out, { recursive: true, force: true }))
  const { code, output } = await run(['--smoke', '--only', 'instructions', '--out', out])
  t.equal(code, 0, output)
  const r = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results
  const i = r.instructions!
  t.match(i.valgrind, /^valgrind-\d+\.\d+/)
  t.same(i.setups.map((s) => s.id), ['no-logger', 'logger'])
  for (const setup of i.setups) {
    t.same([setup.bare, setup.sameHeader, ...setup.plugins].map((x) => x.name), [
      'bare Fastify',
      'bare Fastify setting the same header',
      'Fastify + @zerodown/shutdown',
      'Fastify + @zerodown/probes',
      'Fastify + @zerodown/version',
      'Fastify + the three plugins'
    ], `${setup.id}: the servers of the overhead part`)
    t.same(setup.plugins.map((p) => p.header), [false, false, true, true], `${setup.id}: which send the version header`)
    for (const x of [setup.bare, setup.sameHeader, ...setup.plugins]) {
      t.equal(x.processes.length, i.config.processes, `${setup.id}, ${x.name}: every process counted`)
      t.ok(x.processes.every((windows) => windows.length === i.config.windows), `${setup.id}, ${x.name}: one count per window`)
      // A hello-world request runs through Node.js' HTTP parser, Fastify's routing and V8: tens of thousands of instructions.
      t.ok(x.processes.flat().every((n) => Number.isFinite(n) && n > 10_000), `${setup.id}, ${x.name}: instructions were counted (${x.processes.flat().join(', ')})`)
      t.equal(x.perRequest.n, i.config.processes, `${setup.id}, ${x.name}: a figure over the processes`)
    }
  }
  const report = readFileSync(join(out, 'BENCHMARKS.md'), 'utf8')
  t.match(report, /## 6\. Instructions per request/)
  const version = i.setups[0]!.plugins[2]!
  t.ok(report.includes(`| Fastify + @zerodown/version | ${Math.round(version.perRequest.median).toLocaleString('en-US')} `), 'the report carries the figures')
  t.match(report, /\| instructions per request, @zerodown\/version − bare Fastify setting the same header, `logger: false` | [+−][\d,]+ \([+−]?[\d.]+%\)/, 'and sums them up')
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
