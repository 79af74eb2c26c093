// BENCHMARKS.md from results.json: method, machine, commands to reproduce and every figure as a
// median with its min–max.
import { readFileSync } from 'node:fs'
import { FULL } from './config.js'
import { BUDGET, PROBES_SAMPLING, type InstructionCount, type InstructionsResult } from './instructions.js'
import type { Comparison } from './overhead.js'
import type { Results } from './run.js'
import { median } from '@zerodown/testkit'
import { medianInterval, type MedianInterval, type Summary } from './stats.js'

const num = (n: number, digits: number): string => Number.isFinite(n) ? n.toFixed(digits) : '-'
/** "12.3 (10.1–15.0)" — or just the value when measured once. */
export function fmt (s: Summary, digits = 1, unit = ''): string {
  if (s.n === 0) return '-'
  const u = unit === '' ? '' : ` ${unit}`
  if (s.n === 1 || s.min === s.max) return `${num(s.median, digits)}${u}`
  return `${num(s.median, digits)}${u} (${num(s.min, digits)}–${num(s.max, digits)})`
}
const yes = (met: boolean | undefined): string => met === undefined ? 'not measured' : met ? 'met' : '**not met**'
const formatInterval = (ci: MedianInterval | undefined): string => ci === undefined ? '-' : `${ci.low.toFixed(3)}–${ci.high.toFixed(3)}`
/**
 * A ratio's target: met when the median reaches it; when not, whether the method could tell. A
 * median that rounds to the target at three decimals (0.98955 shows as 0.990) is given with four,
 * so that "0.990, not met" does not read as a contradiction.
 */
export function ratioVerdict (c: Comparison, target: number): string {
  if (c.medianRatio >= target) return 'met'
  const unrounded = Number(c.medianRatio.toFixed(3)) >= target ? ` (${c.medianRatio.toFixed(4)} before rounding)` : ''
  const ci = medianInterval(c.ratios)
  const noise = ci !== undefined && ci.high >= target ? `; within the noise (95% interval ${formatInterval(ci)})` : ''
  return `**not met**${unrounded}${noise}`
}

function summaryTable (r: Results): string[] {
  const rows = ['| figure | result | target | |', '|---|---|---|---|']
  if (r.overhead !== undefined) {
    for (const setup of r.overhead.setups) {
      for (const cost of setup.costs) {
        const row = (c: Comparison, against: string): string =>
          `| throughput with ${cost.candidate.replace('Fastify + ', '')} / ${against}, ${setup.name} | ${fmt(c.ratio, 3)} | >= ${cost.target} | ${ratioVerdict(c, cost.target)} |`
        rows.push(row(cost, 'bare Fastify'))
        if (cost.sameResponse !== undefined) rows.push(row(cost.sameResponse, 'bare Fastify setting the same header'))
      }
    }
  }
  if (r.probeLatency !== undefined) {
    for (const run of r.probeLatency.runs) rows.push(`| /readyz p99 under load, ${run.name} | ${num(run.p99Ms, 1)} ms | < ${r.probeLatency.target} ms | ${yes(run.p99Ms < r.probeLatency.target)} |`)
  }
  if (r.shutdownLatency !== undefined) {
    const s = r.shutdownLatency
    rows.push(`| shutdown, idle: SIGTERM to exit minus drainDelay | ${fmt(s.idle.summary, 1, 'ms')} | < ${s.target} ms | ${yes(s.idle.summary.median < s.target)} |`)
    rows.push(`| shutdown, in flight: exit minus the last response | ${fmt(s.inFlight.summary, 1, 'ms')} | < ${s.target} ms | ${yes(s.inFlight.summary.median < s.target)} |`)
  }
  if (r.rollout !== undefined) {
    for (const app of r.rollout.apps) {
      const zd = app.id.startsWith('zerodown')
      const met = app.runs.every((x) => x.ok)
      rows.push(`| failed requests during a rollout, ${app.name} | ${fmt(app.failed, 0)} | ${zd ? '0 in every run' : ''} | ${zd ? yes(met) : ''} |`)
    }
  }
  if (r.memory !== undefined) rows.push(`| RSS added by the three plugins, idle / after load | ${num(r.memory.pluginsCostIdleMiB, 1)} / ${num(r.memory.pluginsCostMiB, 1)} MiB | | |`)
  for (const setup of countedInPairs(r.instructions) ? r.instructions!.setups : []) {
    for (const pair of setup.pairs.filter((p) => p.judged)) {
      rows.push(`| instructions per request, ${pair.server.name.replace('Fastify + ', '')} beyond ${pair.reference.name}, ${setup.name} | ${addedPercent(pair.added)} | at most +${100 * BUDGET}% | ${yes(Math.min(...pair.added) <= BUDGET)} |`)
    }
  }
  return rows
}

function machineSection (r: Results): string[] {
  const m = r.machine
  // Parts that `--only` left as an earlier run measured them.
  const earlier = r.config.parts.filter((part) => (r.measuredAt[part] ?? '') < r.startedAt)
  const rerun = r.config.parts.filter((part) => !earlier.includes(part))
  return [
    '## Machine',
    '',
    `- CPU: ${m.cpuModel}; \`nproc\`: ${m.nproc}; memory: ${m.memoryGiB} GiB`,
    `- Node.js ${m.node} on ${m.os}`,
    `- load average (1, 5, 15 min) before: ${m.loadAverage.before.join(', ')}; at the end of each part: ` +
      Object.entries(m.loadAverage.byPart).map(([part, l]) => `${part} ${l.join(', ')}`).join('; ') +
      ` — with ${m.nproc} cores, a load above ${m.nproc} means other work ran alongside the figures; they are medians over several runs for that reason`,
    `- run started ${r.startedAt}, took ${Math.round(r.durationMs / 1000)} s` +
      (earlier.length > 0
        ? `; re-measured only ${rerun.join(', ')} (\`--only\`), the other parts measured at ${earlier.map((part) => `${part} ${r.measuredAt[part]}`).join(', ')}`
        : '')
  ]
}

/** Seconds of load after which a fresh server serves its steady rate (V8 has compiled its hot code). */
const STEADY_AFTER_S = 4
// Said only when the warm-up covers that start-up: the smoke run's short one does not.
const WHY_LONG_WARMUP =
  'The warm-up is long because a fresh server is still compiling: V8\'s compiler threads take about 12% of its CPU in the first 2 s of load and 3% in the next two, and it serves its steady rate from about 4 s on. ' +
  'Measured after 2 s of warm-up, the ratios still caught that start-up, which is not a cost per request (the three plugins with a logger: 0.981 of bare Fastify after 2 s of warm-up, 0.992 after 8 s, 13 pairs each in one session). '

function overheadSection (r: Results): string[] {
  const o = r.overhead
  if (o === undefined) return []
  const pinned = o.setups.every((s) => s.control.pinned && s.costs.every((c) => c.pinned))
  const where = pinned
    ? 'the two servers share one CPU (Linux `taskset`) while autocannon runs on another, so the scheduler gives both the same CPU time and each serves in proportion to how cheap its requests are'
    : 'both servers and autocannon share the machine (`taskset` was not available to pin them)'
  return [
    '## 1. Overhead',
    '',
    'Hello-world `GET /` on Fastify with `@zerodown/shutdown`, `@zerodown/probes` (one quick readiness check, pressure watched with the defaults) or `@zerodown/version`, ' +
      'each alone and the three together, against **bare Fastify**: the same app with nothing registered (`benchmarks/servers/zerodown.js`). ' +
      'Both sides are built the same way, once with `logger: false` and once with a logger and request logging off (`disableRequestLogging: true`). ' +
      `Each of ${o.config.pairs} pairs is a fresh process of each (who starts first swaps every pair), loaded side by side by autocannon ` +
      `(${o.config.connections} connections each, ${o.config.warmup} s of warm-up, then ${o.config.duration} s measured): ${where}. ` +
      (o.config.warmup >= STEADY_AFTER_S ? WHY_LONG_WARMUP : '') +
      'The comparisons take turns pair by pair, so that a drift of the machine\'s speed during the run falls on all of them alike ' +
      'instead of making one look cheaper than another (measured one after the other, in the same run, the version plugin read 0.997 against bare Fastify and 0.962 against bare Fastify sending the same header). ' +
      'Whatever else the machine does falls on both alike; one after the other, runs on a shared machine swing by 15–20%, more than the cost being measured. ' +
      'The figure is the median of the per-pair ratios, with a distribution-free 95% interval for it (order statistics of the ratios: with 9 pairs, the 2nd smallest to the 2nd largest; none below 6 pairs). ' +
      `\`pnpm bench\` measures ${FULL.overhead.pairs} pairs: with 9 or 15, the interval spanned 2–4%, too wide to tell a ratio of 0.99 from 1; with 25, 1–2%. ` +
      'The control pits bare Fastify against itself the same way: its spread around 1 is what the method can resolve, and a target that lies inside a ratio\'s interval is a difference this machine could not tell from noise.',
    '',
    o.config.settleHeap === true
      ? 'Each server is started with `--expose-gc` and runs one full garbage collection once it listens, so both sides begin the load from a settled heap. ' +
        'Without it, on Node.js 24, loading more code before listening costs a hello-world server 9–17% whenever the major GC that startup\'s allocations start runs before the load, ' +
        'whatever the code: an unused import of `yaml` or `undici` as much as these plugins imported and not registered; the profile puts the difference in Node.js\' own `process.nextTick()`, not in the added code. ' +
        'In a server that already loads `yaml` and `undici`, importing the three plugins measured 1.00 without the collection. `--no-settle` measures without it.'
      : 'These figures were measured with `--no-settle`: no garbage collection between startup and the load, so a server that loads more code before it listens may pay for a startup GC that bare Fastify does not (see the settled run).',
    '',
    '`@zerodown/version` adds one header to every response of a route (`x-app-version: 1.0.0` here), set in the route\'s handler (`headerOn: "routes"`, the default when these figures were measured; the default is now `"all"`, an onRequest hook that puts it on every reply, 404s and WebSocket handshakes included, counted in part 6 against bare Fastify setting the header the same way), and a header costs what Node.js takes to validate and write it, whoever sets it. ' +
      'So the plugins that send it are measured a second time, against bare Fastify whose handlers set the same header (`SAME_HEADER=route`): both sides send the same bytes, ' +
      'and the ratio is what the plugins cost beyond the header they are asked to send. `header: false` removes the header and its cost.' +
      headerInInstructions(r.instructions),
    '',
    ...o.setups.flatMap((setup) => [
      `**${setup.name[0]!.toUpperCase()}${setup.name.slice(1)}**`,
      '',
      '| against bare Fastify | requests/s, this vs bare | ratio per pair | median ratio | 95% interval |',
      '|---|---|---|---|---|',
      comparisonRow(setup.control, false),
      ...setup.costs.map((cost) => comparisonRow(cost, true)),
      '',
      '| against bare Fastify setting the same header | requests/s, this vs that | ratio per pair | median ratio | 95% interval |',
      '|---|---|---|---|---|',
      ...setup.costs.flatMap((cost) => cost.sameResponse === undefined ? [] : [comparisonRow(cost.sameResponse, true)]),
      ''
    ])
  ]
}

/** One comparison as one row: the candidate's and the reference's requests per second, side by side. */
function comparisonRow (c: Comparison, main: boolean): string {
  const [reference, candidate] = [c.requestsPerSecond[c.reference]!, c.requestsPerSecond[c.candidate]!]
  const ratio = main ? `**${c.medianRatio.toFixed(3)}**` : c.medianRatio.toFixed(3)
  return `| ${c.candidate} | ${fmt(candidate, 0)} vs ${fmt(reference, 0)} | ${c.ratios.map((x) => x.toFixed(3)).join(', ')} | ${ratio} | ${formatInterval(medianInterval(c.ratios))} |`
}

function probeSection (r: Results): string[] {
  const p = r.probeLatency
  if (p === undefined) return []
  return [
    '## 2. Probe latency under load',
    '',
    `The same app with the three plugins. A ${p.config.calibration} s autocannon run finds its maximum throughput; the measured run then sends ${p.config.loadFactor * 100}% of it for ${p.config.duration} s ` +
      `(${p.config.connections} connections) while \`/readyz\` is probed one request after another (${p.config.pauseMs} ms apart), each on a new connection as the kubelet does, from a worker thread ` +
      '(the probe loop of `@zerodown/probes`\' own benchmark).',
    '',
    '| probes on | /readyz p50 | p99 | max | probes | statuses | user load | user p99 |',
    '|---|---|---|---|---|---|---|---|',
    ...p.runs.map((x) => `| ${x.name} | ${num(x.p50Ms, 1)} ms | ${num(x.p99Ms, 1)} ms | ${num(x.maxMs, 1)} ms | ${x.probes} | ${Object.entries(x.statuses).map(([k, v]) => `${k}: ${v}`).join(', ')} | ${x.userRequestsPerSecond} of max ${x.maxRequestsPerSecond} req/s | ${x.userP99Ms} ms |`)
  ]
}

function shutdownSection (r: Results): string[] {
  const s = r.shutdownLatency
  if (s === undefined) return []
  const codes = (c: Array<number | null>): string => [...new Set(c.map(String))].join(', ')
  return [
    '## 3. Shutdown latency',
    '',
    `The app with the three plugins, \`drainDelay\` ${s.config.drainDelay} ms, ${s.config.runs} runs of each case. Idle: SIGTERM to exit, minus the drainDelay. ` +
      `In flight: ${s.config.inFlight} requests of ${s.config.requestMs} ms, each on its own keep-alive connection, SIGTERM while they run; exit minus the later of the drain's end and the last response. ` +
      'What is left is what the shutdown itself costs: closing the listener, sockets, onClose hooks and process exit.',
    '',
    '| case | beyond the waits | exit codes | failed in-flight requests |',
    '|---|---|---|---|',
    `| idle | ${fmt(s.idle.summary, 1, 'ms')} | ${codes(s.idle.exitCodes)} | |`,
    `| in flight | ${fmt(s.inFlight.summary, 1, 'ms')} | ${codes(s.inFlight.exitCodes)} | ${s.inFlight.failedRequests} |`
  ]
}

function rolloutSection (r: Results): string[] {
  const ro = r.rollout
  if (ro === undefined) return []
  const d = ro.deployment
  const l = ro.config.load
  const lines = [
    '## 4. Dropped requests during a rollout',
    '',
    'Every app goes through the same rehearsal (`@zerodown/rehearse`): the Deployment the chart renders from `deploy/examples/rehearsal.yaml`, ' +
      (d === undefined
        ? ''
        : `${d.replicas} replicas, maxSurge ${d.maxSurge} / maxUnavailable ${d.maxUnavailable}, minReadySeconds ${d.minReadySeconds}, preStop sleep ${d.preStopSleepSeconds} s, grace period ${d.terminationGracePeriodSeconds} s, `) +
      `endpoint propagation delay ${ro.config.propagationDelayMs} ms; ${l.rate} requests/s over ${l.connections} keep-alive connections, ${l.slowShare * 100}% of them \`${l.slowPath}\`. ` +
      `${ro.config.runs} runs per app, interleaved. A failure is a status >= 500, a reset (or a connection closed without a response), a refused connection or a timeout.`,
    '',
    '| app | set up as its README recommends | failed requests | status | reset | refused | timeout | clean runs | rollout duration | old pods ended with |',
    '|---|---|---|---|---|---|---|---|---|---|'
  ]
  for (const a of ro.apps) {
    const exits = [...new Set(a.runs.flatMap((x) => x.oldPodExits))].join(', ')
    const stuck = a.runs.filter((x) => x.outcome !== 'complete').length
    const clean = `${a.cleanRuns} of ${a.runs.length}${stuck > 0 ? ` (${stuck} did not complete)` : ''}`
    lines.push(`| ${a.name} | ${a.setup} | ${fmt(a.failed, 0)} | ${fmt(a.byKind.status, 0)} | ${fmt(a.byKind.reset, 0)} | ${fmt(a.byKind.refused, 0)} | ${fmt(a.byKind.timeout, 0)} | ${clean} | ${fmt({ ...a.rolloutMs, median: a.rolloutMs.median / 1000, min: a.rolloutMs.min / 1000, max: a.rolloutMs.max / 1000 }, 1, 's')} | ${exits} |`)
  }
  lines.push(
    '',
    'Requests per run: ' + ro.apps.map((a) => `${a.name} ${a.runs.map((x) => x.requests).join(', ')}`).join('; ') + '.',
    '',
    'Where failures come from. The Service stops opening new connections to a deleted pod after the propagation delay, but',
    'keep-alive connections opened before stay pinned to it until one side closes them. A **status** failure is a 503 that',
    'Fastify answers on such a connection once `fastify.close()` has begun (`return503OnClosing`); a **reset** is a request',
    'written to a socket the server closed or destroyed without a `Connection: close` (or a process that exited with',
    'connections open); **refused** means no ready endpoint or a closed listener; a **timeout** went unanswered for 10 s.',
    'zerodown keeps serving while it drains and sends `Connection: close` on every response, so clients reconnect elsewhere.'
  )
  return lines
}

function memorySection (r: Results): string[] {
  const m = r.memory
  if (m === undefined) return []
  return [
    '## 5. Memory',
    '',
    `Resident set size (VmRSS) of each server half a second after it listens, and again after ${m.config.warmup} s of hello-world load (autocannon, 10 connections), ${m.config.runs} runs each, round-robin. ` +
      'After load the figure mostly says how far V8 let the heap grow for that throughput; the idle one compares what is loaded.',
    '',
    '| server | RSS idle | RSS after load |',
    '|---|---|---|',
    ...m.variants.map((v) => `| ${v.name} | ${fmt(v.idle, 1, 'MiB')} | ${fmt(v.summary, 1, 'MiB')} |`)
  ]
}

const count = (n: number): string => Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-'
const signed = (fraction: number): string => `${fraction < 0 ? '−' : '+'}${num(Math.abs(100 * fraction), 2)}%`
/** "+0.21% (−0.10% to +0.35%)": what a server added to its reference, pair by pair. */
function addedPercent (added: number[]): string {
  const range = added.length > 1 ? ` (${signed(Math.min(...added))} to ${signed(Math.max(...added))})` : ''
  return `${signed(median(added))}${range}`
}
const summary = (x: InstructionCount): string => `${count(x.perRequest.median)}${x.perRequest.n > 1 ? ` (${count(x.perRequest.min)}–${count(x.perRequest.max)})` : ''}`

/** The overhead part's header paragraph, continued with what part 6 counted of the header and of the plugin. */
function headerInInstructions (i: InstructionsResult | undefined): string {
  if (!countedInPairs(i)) return ''
  const each = i.setups.map((setup) => {
    const header = setup.pairs.find((p) => p.server.name.endsWith('on every reply'))
    const version = setup.pairs.find((p) => p.server.name.endsWith('@zerodown/version'))
    const found = [
      header === undefined ? undefined : `the header on every reply ${addedPercent(header.added)} beyond bare Fastify`,
      version === undefined ? undefined : `@zerodown/version ${addedPercent(version.added)} beyond it`
    ].filter((x) => x !== undefined)
    return found.length === 0 ? undefined : `${setup.name}: ${found.join(', ')}`
  }).filter((x) => x !== undefined)
  return ` Counted in instructions per request (part 6, where one pair resolves about 3%), ${each.join('; ')}.`
}

/** Part 6's tables: each server beside its reference, and what it adds. */
export function renderInstructionCounts (i: InstructionsResult): string[] {
  return i.setups.flatMap((setup) => [
    `**${setup.name[0]!.toUpperCase()}${setup.name.slice(1)}**`,
    '',
    '| server | instructions per request | its reference, counted beside it | instructions per request | added | idle, per second |',
    '|---|---|---|---|---|---|',
    ...setup.pairs.map((pair) => `| ${pair.server.name} | ${summary(pair.server)} | ${pair.reference.name} | ${summary(pair.reference)} | ${addedPercent(pair.added)}${pair.judged ? ` ${Math.min(...pair.added) <= BUDGET ? '(within' : '(**over**'} the ${100 * BUDGET}% budget)` : ''} | ${count(median(pair.server.idlePerSecond))} |`),
    ''
  ])
}

/** Whether part 6's figures were counted the current way (in pairs); results.json may hold older ones. */
function countedInPairs (i: InstructionsResult | undefined): i is InstructionsResult {
  return i !== undefined && i.setups.every((setup) => Array.isArray(setup.pairs))
}

// What one pair can tell apart, from @zerodown/probes, which puts nothing on a user request's path:
// the counts of 2026-12-07 put it below bare Fastify more often than above.
const RESOLUTION = '**What one pair resolves.** @zerodown/probes puts nothing on a user request\'s path, yet its eight pairs counted on 2026-12-07 (two budget runs on Node.js 20, and this part on Node.js 20 and 24, with and without a logger) came out between −2.1% and +0.5% of bare Fastify, most of them below it, and the three plugins together came out 2.5% and 3.1% below theirs on Node.js 24. ' +
  'So a difference within about 3% is not read as work a plugin does: what V8 compiled, and when, moves a count that much. ' +
  'The budget lives with it by recounting: a plugin fails only when three pairs in a row add more than 1%.'

function instructionsSection (r: Results): string[] {
  const i = r.instructions
  if (i === undefined) return []
  if (!countedInPairs(i)) {
    return ['## 6. Instructions per request', '', 'The figures in results.json were counted before each server was counted beside its reference (2026-12-07), and are not shown: `pnpm --filter @zerodown/benchmarks bench -- --only instructions` counts them again.']
  }
  const c = i.config
  return [
    '## 6. Instructions per request',
    '',
    `${c.servers === 'all' ? 'The servers of the overhead part' : 'Each plugin alone, as `--budget` counts them,'} under valgrind's callgrind, which counts every instruction the server process executes ` +
      `(${i.valgrind}), each beside its reference: ${c.processes} pair${c.processes > 1 ? 's' : ''} of processes, the two of a pair counted at the same time. ` +
      `Each process gets ${count(c.warmupWindows * c.requests)} requests of warm-up on ${c.connections} connections, then ${c.windows} counted windows of ${count(c.requests)} hello-world requests from autocannon, ` +
      `one at a time on one new connection, then three windows of ${c.idleSeconds} s counted idle. Node.js runs with \`--single-threaded --no-memory-reducer\`, and without \`--expose-gc\` (so the server does not collect its garbage once it listens, as it does for the overhead part). ` +
      'Why so: V8 times its background work and its memory reducer by the clock, which under callgrind runs many times faster than the process, and with several connections how many requests the server finds at each turn of its event loop depends on how fast it runs against the client. ' +
      'Counted on 10 connections with V8\'s defaults, bare Fastify counted 58,100 per request on a quiet machine and 58,700–112,000 on a busy one; one request at a time, single-threaded and without the memory reducer, 59,400 on a quiet machine and 62,000–64,000 at a load of 7–10 on two cores, ' +
      'where a plugin counted beside it moved with it (within 1%): hence pairs counted at the same time, and their ratios. ' +
      'After a forced collection at startup, with a logger, Fastify + @zerodown/shutdown or + @zerodown/probes counted 101,000 per request beside bare Fastify\'s 66,400, for as long as they ran (+52%, twice in a row); without it, 65,200 beside 65,700. ' +
      'The throughput of the overhead part, measured after the same collection, shows nothing of the kind, so it is taken for V8 under callgrind, not work of the plugins; it is not explained. ' +
      'What a process executes idle, per second (the lowest of the three idle windows), is work on timers: that much per second of each window is taken out of the window\'s count, ' +
      'since a server under callgrind answers many times fewer requests per second than without it, and its timers would otherwise fall on those few. ' +
      `The probes' pressure sampling, ${PROBES_SAMPLING}, is too large a part of a window for that (a tenth of an error in taking it out moved the probes' figure by 3% on a busy machine): here it samples once an hour (\`PRESSURE_SAMPLE_MS\`), and what the probes still execute idle (the last column) is taken out like any timer's work. ` +
      'Every server loads the three plugins\' packages before it starts, registered or not (`PRELOAD=1`): loading code alone moved the counts by several hundred instructions per request, either way ' +
      '(on 2026-12-07, importing `@zerodown/version` without registering it counted +900 with `logger: false`, and importing `@zerodown/contract` alone −300), which is V8\'s state, not work a plugin does per request. ' +
      'The header is set against bare Fastify setting it the two ways Fastify offers: in the route handlers (what `headerOn: "routes"` does) and in an onRequest hook (on every reply, what the default `headerOn: "all"` does, and the reference the budget uses). ' +
      'It counts the server\'s own instructions only, not the kernel\'s (the loopback TCP every request and response crosses), and weighs every instruction alike, whatever it costs in time: ' +
      'its ratios are not throughput ratios, but a difference between two servers is work one of them does and the other does not.',
    '',
    `\`pnpm --filter @zerodown/benchmarks bench -- --budget\` (a step of its own in CI, after \`pnpm test\`, alone on the machine) counts each plugin alone beside its reference, one pair each, and fails when one adds more than ${100 * BUDGET}% (bare Fastify; for @zerodown/version, bare Fastify setting the same header on every reply), with and without a logger; a plugin over it is counted again, a new pair, and judged by the pair that added least.`,
    '',
    RESOLUTION,
    '',
    ...renderInstructionCounts(i)
  ]
}

// What a user downloads and installs. Measured by e2e/test/published.test.ts from the registry it
// publishes to, and recorded in e2e/sizes.json, which owns these figures and their budgets.
interface PackageSizes {
  measured: { date: string, node: string, npm: string }
  sourceMapDecision: string
  together: { install: number, installedPackages: number }
  packages: Record<string, { packed: number, unpacked: number, maps: number, files: number, install: number, installedPackages: number, budget: { packed: number, unpacked: number, install: number } }>
}
const kB = (n: number): string => `${(n / 1000).toFixed(1)} kB`
const MB = (n: number): string => `${(n / 1e6).toFixed(2)} MB`
const share = (part: number, whole: number): string => `${(100 * part / whole).toFixed(1)}%`

export function packageSizeSection (file = new URL('../../e2e/sizes.json', import.meta.url)): string[] {
  const sizes = JSON.parse(readFileSync(file, 'utf8')) as PackageSizes
  const rows = Object.entries(sizes.packages)
  const total = (key: 'packed' | 'unpacked' | 'maps'): number => rows.reduce((sum, [, p]) => sum + p[key], 0)
  return [
    '## 7. Package size',
    '',
    `What a user downloads and installs, measured by \`e2e/test/published.test.ts\` from the registry the release command publishes to (${sizes.measured.date}, Node.js ${sizes.measured.node}, npm ${sizes.measured.npm}). Packed: the tarball. Unpacked: the package's own files, source maps included. Installed alone: every byte under \`node_modules\` after \`npm install <package>\` in an empty project — its dependencies, and Fastify where it is a peer (npm installs peers). The test fails when a figure passes its budget in \`e2e/sizes.json\`; \`RECORD_SIZES=1 pnpm --filter @zerodown/e2e test\` records the figures anew.`,
    '',
    '| package | packed | unpacked | of which source maps | files | installed alone | packages installed | budget: packed / unpacked / installed |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map(([name, p]) => `| ${name} | ${kB(p.packed)} | ${kB(p.unpacked)} | ${kB(p.maps)} (${share(p.maps, p.unpacked)}) | ${p.files} | ${MB(p.install)} (maps ${share(p.maps, p.install)}) | ${p.installedPackages} | ${kB(p.budget.packed)} / ${kB(p.budget.unpacked)} / ${MB(p.budget.install)} |`),
    `| all six | ${kB(total('packed'))} | ${kB(total('unpacked'))} | ${kB(total('maps'))} (${share(total('maps'), total('unpacked'))}) | | ${MB(sizes.together.install)} with Fastify (maps ${share(total('maps'), sizes.together.install)}) | ${sizes.together.installedPackages} | |`,
    '',
    `**Source maps.** ${sizes.sourceMapDecision}`
  ]
}

// Lint time by values-file size, from the deploy package's own benchmark (deploy/bench/lint-time.js),
// which owns the figures in deploy/bench/lint-time.json.
interface LintTimes {
  measured: { date: string, node: string, runs: number, loadAverage: number }
  startupMs: number
  rows: Array<{ shape: string, keys: number, bytes: number, ms: number, usPerKey: number }>
}

export function lintTimeSection (file = new URL('../../deploy/bench/lint-time.json', import.meta.url)): string[] {
  const times = JSON.parse(readFileSync(file, 'utf8')) as LintTimes
  return [
    '## 8. Lint time by input size',
    '',
    `\`zerodown-deploy lint -f values.yaml\` as a user runs it, on values files of 1,000, 10,000 and 100,000 keys: config entries (lint accepts them and renders the whole chart) and unknown top-level keys (lint refuses each). Median of ${times.measured.runs} runs (${times.measured.date}, Node.js ${times.measured.node}, load average ${times.measured.loadAverage} on the machine's two cores); the start-up, ${times.startupMs} ms with an empty file, is taken out of the time per key. The time per key stays flat as the file grows a hundredfold: lint is linear in its input (the YAML library's own duplicate-key check was quadratic: 16,000 keys took 9.5 s before). Values files are refused above 4 MiB. \`pnpm --filter @zerodown/deploy bench\` measures it anew.`,
    '',
    '| shape | keys | file | lint | per key |',
    '|---|---|---|---|---|',
    ...times.rows.map((row) => `| ${row.shape} | ${row.keys.toLocaleString('en')} | ${(row.bytes / 1024).toFixed(0)} KiB | ${(row.ms / 1000).toFixed(1)} s | ${row.usPerKey} µs |`)
  ]
}

const METHOD = [
  '## Reproduce',
  '',
  '```sh',
  'pnpm install',
  'pnpm bench                                        # every package\'s benchmarks, one at a time',
  'pnpm --filter @zerodown/benchmarks... build && pnpm --filter @zerodown/benchmarks bench   # only this file\'s',
  'pnpm --filter @zerodown/benchmarks bench -- --only rollout --runs 5     # one part, more runs',
  'pnpm --filter @zerodown/benchmarks bench -- --only instructions         # part 6 (needs valgrind: sh scripts/install-valgrind.sh)',
  '```',
  '',
  'The harness (`benchmarks/src`) writes `benchmarks/results.json` (every run\'s figures) and this file. The peer apps are',
  '`benchmarks/peers/*.js`: the demo\'s routes (`GET /`, `GET /work?ms=N`, `x-app-version` from `ZERODOWN_APP_VERSION`) with each peer',
  'set up the way its README recommends for Kubernetes. Lightship serves its probes on a listener of its own; the rehearsal',
  'probes the main port, so that app answers `/readyz` and `/livez` on the main port from lightship\'s own state',
  '(`isServerReady()`, `isServerShuttingDown()`). http-terminator is left out: it is a building block (lightship used it),',
  'not a Kubernetes setup with probes of its own. The naive baseline is the one `@zerodown/rehearse` ships.'
]

export function renderReport (r: Results): string {
  return [
    '# Benchmarks',
    '',
    'zerodown next to what Fastify apps use today, measured side by side on one machine in one run by `pnpm bench`.',
    'Generated from `benchmarks/results.json`; figures are medians with (min–max) over the runs.',
    '',
    ...summaryTable(r),
    '',
    ...machineSection(r),
    '',
    ...[overheadSection(r), probeSection(r), shutdownSection(r), rolloutSection(r), memorySection(r), instructionsSection(r)]
      .filter((s) => s.length > 0).flatMap((s) => [...s, '']),
    ...packageSizeSection(),
    '',
    ...lintTimeSection(),
    '',
    ...METHOD,
    ''
  ].join('\n')
}
