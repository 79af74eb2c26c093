// A smoke run of the whole harness in its tiny configuration: every part runs for real (real
// servers, autocannon, SIGTERM, a rehearsal) and must produce well-formed results. Speed is never
// asserted: these figures mean nothing.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'tap'
import { runCli as run } from './fixtures/cli.js'
import type { Results } from '../src/run.js'
import type { Comparison } from '../src/overhead.js'
import { fmt, ratioVerdict, renderReport } from '../src/report.js'
import { medianInterval, summarize } from '../src/stats.js'

const finite = (n: number): boolean => typeof n === 'number' && Number.isFinite(n)

test('a smoke run writes well-formed results.json and BENCHMARKS.md', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'zerodown-bench-'))
  t.teardown(() => rmSync(out, { recursive: true, force: true }))
  const { code, output } = await run(['--smoke', '--out', out])
  t.equal(code, 0, output)
  const r = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results

  t.equal(r.machine.nproc > 0, true, 'nproc')
  t.match(r.machine.node, /^v\d+\./)
  t.equal(r.machine.loadAverage.before.length, 3)
  t.equal(r.machine.loadAverage.after?.length, 3)
  t.same(Object.keys(r.machine.loadAverage.byPart), r.config.parts, 'a load average for every part')

  const o = r.overhead!
  t.equal(o.config.settleHeap, true, 'heaps settled before the load by default')
  t.same(o.setups.map((s) => s.id), ['no-logger', 'logger'], 'with and without a logger')
  for (const setup of o.setups) {
    t.same([setup.control.reference, setup.control.candidate], ['bare Fastify', 'bare Fastify (again)'], `${setup.id}: the control, bare Fastify against itself`)
    t.same(setup.costs.map((c) => [c.reference, c.candidate, c.target]), [
      ['bare Fastify', 'Fastify + @zerodown/shutdown', 0.99],
      ['bare Fastify', 'Fastify + @zerodown/probes', 0.99],
      ['bare Fastify', 'Fastify + @zerodown/version', 0.99],
      ['bare Fastify', 'Fastify + the three plugins', 0.98]
    ], `${setup.id}: each plugin, then the three, against bare Fastify`)
    t.same(setup.costs.map((c) => c.sameResponse === undefined ? undefined : [c.sameResponse.reference, c.sameResponse.candidate, typeof c.sameResponse.met]), [
      undefined,
      undefined,
      ['bare Fastify setting the same header', 'Fastify + @zerodown/version', 'boolean'],
      ['bare Fastify setting the same header', 'Fastify + the three plugins', 'boolean']
    ], `${setup.id}: the plugins that send the version header, also against bare Fastify sending it`)
    for (const c of [setup.control, ...setup.costs, ...setup.costs.flatMap((c) => c.sameResponse ?? [])]) {
      t.equal(c.runs.length, 2 * o.config.pairs, `${setup.id}, ${c.candidate}: one run per side per pair`)
      t.ok(c.runs.every((x) => x.requestsPerSecond > 0), 'every run served requests')
      t.ok(finite(c.medianRatio) && c.medianRatio > 0 && c.ratio.n === o.config.pairs, 'a ratio per pair')
      t.equal(typeof c.pinned, 'boolean')
    }
  }

  const p = r.probeLatency!
  t.same(p.runs.map((x) => x.name), ['main port', 'separate port'])
  for (const x of p.runs) {
    t.ok(x.probes > 0, `${x.name}: probes were sent`)
    t.same(Object.keys(x.statuses), ['200'], `${x.name}: every probe answered 200`)
    t.ok(x.p50Ms <= x.p99Ms && x.p99Ms <= x.maxMs, `${x.name}: p50 <= p99 <= max`)
  }

  const s = r.shutdownLatency!
  for (const c of [s.idle, s.inFlight]) {
    t.equal(c.overheadMs.length, s.config.runs)
    t.ok(c.overheadMs.every(finite), 'every run measured')
    t.same(c.exitCodes, c.exitCodes.map(() => 0), 'the server exited 0')
  }
  t.equal(s.inFlight.failedRequests, 0, 'in-flight requests were served')

  const ro = r.rollout!
  t.same(ro.apps.map((a) => a.id), ro.config.apps)
  for (const a of ro.apps) {
    t.equal(a.runs.length, ro.config.runs)
    for (const x of a.runs) {
      t.equal(x.outcome, 'complete', `${a.name}: the rollout completed`)
      t.ok(x.requests > 0, `${a.name}: load was sent`)
      t.equal(x.failed, x.failures.status + x.failures.reset + x.failures.refused + x.failures.timeout, 'failures add up')
      t.ok(finite(x.rolloutMs!), 'a rollout duration')
      t.equal(x.oldPodExits.length, ro.deployment!.replicas, 'every old pod ended')
    }
  }

  const m = r.memory!
  t.equal(m.variants.length, 6)
  t.ok(m.variants.every((v) => v.rssMiB.length === m.config.runs && v.rssMiB.every((mb) => mb > 10)), 'an RSS after load for every server')
  t.ok(m.variants.every((v) => v.idleMiB.length === m.config.runs && v.idleMiB.every((mb) => mb > 10)), 'an idle RSS for every server')

  const report = readFileSync(join(out, 'BENCHMARKS.md'), 'utf8')
  for (const heading of ['## Machine', '## 1. Overhead', '## 2. Probe latency', '## 3. Shutdown latency', '## 4. Dropped requests', '## 5. Memory', '## Reproduce']) {
    t.ok(report.includes(heading), `the report has "${heading}"`)
  }
  t.ok(report.includes(`\`nproc\`: ${r.machine.nproc}`), 'the report names the machine')
  t.ok(report.includes(`**${o.setups[1]!.costs[3]!.medianRatio.toFixed(3)}**`), 'the report carries the figures')
  t.match(report, /runs one full garbage collection once it listens/, 'the report says the heaps were settled')
  t.ok(report.includes(`| Fastify + @zerodown/version | ${fmt(o.setups[0]!.costs[2]!.sameResponse!.requestsPerSecond['Fastify + @zerodown/version']!, 0)} vs`), 'the report carries the same-header comparison')
  t.match(report, /\| throughput with @zerodown\/version \/ bare Fastify setting the same header, `logger: false` \| [\d.]+/, 'and sums it up')

  const again = await run(['--smoke', '--only', 'shutdown', '--out', out])
  t.equal(again.code, 0, again.output)
  const merged = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results
  t.same(merged.config.parts, r.config.parts, '--only keeps every part')
  t.same(merged.rollout, r.rollout, 'a part not run keeps its figures')
  t.same(merged.overhead, r.overhead)
  t.equal(merged.measuredAt.rollout, r.measuredAt.rollout, 'and the time it was measured')
  t.notSame(merged.shutdownLatency, r.shutdownLatency, 'the part run has new figures')
  t.ok(merged.measuredAt.shutdown! > r.measuredAt.shutdown!, 'measured now')
  t.match(readFileSync(join(out, 'BENCHMARKS.md'), 'utf8'), /re-measured only shutdown \(`--only`\), the other parts measured at overhead /)
})

test('--no-settle measures the overhead without the collection after startup, and the report says so', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'zerodown-bench-'))
  t.teardown(() => rmSync(out, { recursive: true, force: true }))
  const { code, output } = await run(['--smoke', '--only', 'overhead', '--no-settle', '--out', out])
  t.equal(code, 0, output)
  const r = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results
  t.equal(r.overhead!.config.settleHeap, false)
  const report = readFileSync(join(out, 'BENCHMARKS.md'), 'utf8')
  t.match(report, /measured with `--no-settle`: no garbage collection between startup and the load/)
  t.notMatch(report, /The warm-up is long/, 'a short warm-up is not explained as a long one')
  const longWarmup = { ...r, overhead: { ...r.overhead!, config: { ...r.overhead!.config, warmup: 6 } } }
  t.match(renderReport(longWarmup), /6 s of warm-up, then 1 s measured\): .* The warm-up is long because a fresh server is still compiling/, 'a long one is')
})

test('bad arguments are refused with the expected form', async (t) => {
  const only = await run(['--only', 'overhead,speed'])
  t.equal(only.code, 2)
  t.match(only.output, /--only must list parts among overhead, probes, shutdown, rollout, memory, instructions, got "speed"/)
  const runs = await run(['--runs', '0'])
  t.equal(runs.code, 2)
  t.match(runs.output, /--runs must be an integer >= 1, got "0"/)
  const pairs = await run(['--pairs', 'two'])
  t.equal(pairs.code, 2)
  t.match(pairs.output, /--pairs must be an integer >= 1, got "two"/)
  const processes = await run(['--processes', '1.5'])
  t.equal(processes.code, 2)
  t.match(processes.output, /--processes must be an integer >= 1, got "1.5"/)
  const unknown = await run(['--', '--fast'])
  t.equal(unknown.code, 2)
  t.match(unknown.output, /Unknown option '--fast'; options: --only parts, --runs N, --pairs N, --processes N, --no-settle, --smoke, --budget, --out DIR/)
})

test('summaries and their formatting', async (t) => {
  t.same(summarize([3, 1, 2]), { median: 2, min: 1, max: 3, n: 3 })
  t.equal(summarize([]).n, 0)
  t.equal(fmt(summarize([3, 1, 2]), 1, 'ms'), '2.0 ms (1.0–3.0)')
  t.equal(fmt(summarize([5]), 0), '5')
  t.equal(fmt(summarize([])), '-')
})

test('the median\'s confidence interval takes the order statistics the binomial allows', async (t) => {
  const nine = [0.97, 0.99, 0.95, 1.01, 0.98, 1.0, 0.96, 1.02, 0.94]
  // n = 9: the 2nd smallest and 2nd largest, 1 - 2 * (1 + 9) / 512 = 0.961; the 3rd would give 0.820.
  const ci = medianInterval(nine)!
  t.same([ci.low, ci.high], [0.95, 1.01])
  t.ok(Math.abs(ci.coverage - (1 - 20 / 512)) < 1e-12, `coverage ${ci.coverage}`)
  // n = 5: even the extremes cover only 1 - 2/32 = 0.9375 < 0.95.
  t.equal(medianInterval([1, 2, 3, 4, 5]), undefined)
  t.same(medianInterval([1, 2, 3, 4, 5], 0.9), { low: 1, high: 5, coverage: 1 - 2 / 32 })
  // n = 6: the extremes, 1 - 2/64 = 0.969.
  t.same(medianInterval([6, 5, 4, 3, 2, 1]), { low: 1, high: 6, coverage: 1 - 2 / 64 })
  t.equal(medianInterval([]), undefined)
})

test('a ratio below its target says whether the method could tell', async (t) => {
  const comparison = (ratios: number[]) => ({ ratios, medianRatio: [...ratios].sort((a, b) => a - b)[Math.floor(ratios.length / 2)]! }) as Comparison
  t.equal(ratioVerdict(comparison([0.99, 1.0, 0.995, 1.01, 0.98, 1.0, 0.99, 1.02, 0.995]), 0.99), 'met')
  t.equal(ratioVerdict(comparison([0.97, 0.99, 0.95, 1.01, 0.98, 1.0, 0.96, 1.02, 0.94]), 0.99), '**not met**; within the noise (95% interval 0.950–1.010)')
  t.equal(ratioVerdict(comparison([0.97, 0.975, 0.95, 0.98, 0.98, 0.985, 0.96, 0.99, 0.94]), 0.99), '**not met**')
  t.equal(ratioVerdict(comparison([0.97, 0.975, 0.95, 1.1, 0.98]), 0.99), '**not met**', 'too few pairs for an interval')
  t.equal(ratioVerdict(comparison([0.9897, 0.97, 1.01]), 0.99), '**not met** (0.9897 before rounding)', 'a median that shows as the target')
  t.equal(ratioVerdict(comparison([0.9896, 0.97, 1.01, 0.95, 1.02, 0.98, 1.0, 0.96, 1.03]), 0.99),
    '**not met** (0.9896 before rounding); within the noise (95% interval 0.960–1.020)')
})
