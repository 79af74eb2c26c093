// The bin as npm links it, rehearsing: a stuck rollout, --compare, --load, a failing load, an inconclusive baseline.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'tap'
import { run, FAST, TIMINGS } from './fixtures/cli.js'
import { FIXTURE, manifest } from './fixtures/helpers.js'
import { maskSummary, readmeBlock } from './fixtures/readme.js'

test('a stuck rollout exits 1 and shows the pod output', async (t) => {
  const dir = t.testdir({ 'fx.yaml': manifest({ progressDeadlineSeconds: 5 }) })
  const result = run(['--manifest', join(dir, 'fx.yaml'), ...FAST, '--env', 'GRACEFUL=1', '--env', 'NEVER_READY_VERSION=2.0.0', '--', 'node', FIXTURE])
  t.equal(result.status, 1, result.stderr)
  t.match(result.stdout, /rollout: STUCK — no progress for progressDeadlineSeconds \(5 s\): ProgressDeadlineExceeded/)
  t.match(result.stdout, /\| fixture: listening at http:\/\/127\.0\.0\.1:\d+ as 2\.0\.0/)
  t.match(result.stdout, /FAIL: the rollout is stuck/)
})

test('--compare: the draining app passes, the naive baseline is caught failing, side by side', async (t) => {
  const dir = t.testdir({ 'fx.yaml': manifest() })
  const report = join(dir, 'report.html')
  // Every request takes 400 ms, so each keep-alive connection always has one in flight, and each old pod
  // holds some of them: the baseline's SIGTERM (or, as PID 1, its SIGKILL) always cuts requests.
  const result = run(['--manifest', join(dir, 'fx.yaml'), ...TIMINGS, '--connections', '8', '--slow-share', '1', '--slow-path', '/work?ms=400',
    '--env', 'GRACEFUL=1', '--env', 'ZERODOWN_DRAIN_DELAY_MS=400', '--compare', '--json', '--report', report, '--', 'node', FIXTURE])
  t.equal(result.status, 0, result.stderr)
  const { app, baseline } = JSON.parse(result.stdout)
  t.match(app, { ok: true, outcome: 'complete', totals: { failed: 0 }, afterRollout: { otherVersion: 0 } })
  t.match(baseline, { ok: false, outcome: 'complete' })
  t.ok(baseline.totals.failed > 0, `the baseline's failures were detected (${JSON.stringify(baseline.failures)})`)
  t.ok(baseline.failedRequests.every((r: { outcome: string }) => ['status', 'reset', 'refused', 'timeout'].includes(r.outcome)))
  // The documented shape.
  for (const key of ['ok', 'outcome', 'versions', 'deployment', 'totals', 'failures', 'latencyMs', 'rollout', 'maxLivePods',
    'afterRollout', 'versionsOverTime', 'failedRequests', 'pods', 'podEvents', 'rolloutEvents', 'durationMs']) {
    t.ok(key in app, `result has ${key}`)
  }
  const html = readFileSync(report, 'utf8')
  t.match(html, /^<!doctype html>/)
  t.match(html, /<svg[^>]*>[\s\S]*1\.0\.0[\s\S]*<\/svg>/)
  t.match(html, /PASS/)
  t.notMatch(html, /<script|<link|src="http/, 'self-contained')
})

test('--load: the app\'s own requests, a POST with a JSON body among them, roll out clean', async (t) => {
  const dir = t.testdir({
    'fx.yaml': manifest({ propagationSeconds: 0.3 }),
    'load.yaml': `requests:
  - { path: /, weight: 2 }
  - method: POST
    path: /orders
    body: { item: book }
    expect: [201]
  - { path: "/work?ms=300", headers: { x-trace: rehearsal } }
`
  })
  const [, , ...timings] = TIMINGS // the delay comes from the manifest's annotation
  const result = run(['--manifest', join(dir, 'fx.yaml'), ...timings, '--load', join(dir, 'load.yaml'), '--env', 'GRACEFUL=1', '--env', 'ZERODOWN_DRAIN_DELAY_MS=400', '--json', '--', 'node', FIXTURE])
  t.equal(result.status, 0, result.stdout.slice(0, 2000) + result.stderr)
  const r = JSON.parse(result.stdout)
  t.match(r.deployment, { propagationDelayMs: 300, propagationDelayFrom: 'annotation' })
  t.match(r.byRequest, [
    { method: 'GET', path: '/', failed: 0, okStatus: 200 },
    { method: 'POST', path: '/orders', failed: 0, okStatus: 201 },
    { method: 'GET', path: '/work?ms=300', failed: 0 }
  ])
  t.ok(r.byRequest.every((q: { sent: number }) => q.sent > 10), 'every request was sent')
  t.ok(r.inFlightAtSigterm.total > 0, `requests were in flight at SIGTERM (${r.inFlightAtSigterm.total}): the drain was exercised`)
  t.same(r.warnings, [])
})

test('a load whose path the app does not serve fails, naming the path and status', async (t) => {
  const dir = t.testdir({ 'fx.yaml': manifest(), 'load.yaml': 'requests:\n  - path: /\n  - path: /missing\n' })
  const result = run(['--manifest', join(dir, 'fx.yaml'), ...TIMINGS, '--load', join(dir, 'load.yaml'), '--env', 'GRACEFUL=1', '--', 'node', FIXTURE])
  t.equal(result.status, 1, result.stderr)
  t.match(result.stdout, /\n {2}GET \/missing: (\d+) of \1 failed \(status 404 ×\1\)\n/)
  t.notMatch(result.stdout, / {2}GET \/: /, 'the path it serves is not blamed')
  t.match(result.stdout, /FAIL: \d+ of \d+ requests failed — GET \/missing: \d+ of \d+ failed \(status 404 ×\d+\)\n$/)
  // The README's sample of a failure is these lines, its path for ours and numbers aside.
  const sample = maskSummary(readmeBlock('console', 1).replaceAll('/orders/1', '/missing')).filter((line) => line !== '...')
  const printed = maskSummary(result.stdout)
  t.same(sample.filter((line) => !printed.includes(line)), [], 'every line of the README\'s failure sample is printed')
})

test('--compare with a baseline that cannot be rehearsed is inconclusive, not a win', async (t) => {
  // The app reads its probe port from a variable of its own; the baseline knows only the contract's
  // ZERODOWN_PROBE_PORT, so nothing answers its probes and it never gets ready.
  const dir = t.testdir({ 'fx.yaml': manifest({ probePort: 9000, probePortEnv: 'APP_PROBE_PORT', progressDeadlineSeconds: 5 }) })
  const result = run(['--manifest', join(dir, 'fx.yaml'), ...FAST, '--env', 'GRACEFUL=1', '--env', 'PROBE_PORT_ENV=APP_PROBE_PORT', '--compare', '--', 'node', FIXTURE])
  t.equal(result.status, 1, result.stderr)
  t.match(result.stdout, /== app\n[\s\S]*PASS: the rollout completed/)
  t.match(result.stdout, /INCONCLUSIVE: the naive baseline could not be rehearsed: its rollout is stuck \(the 1\.0\.0 pods were not all available within progressDeadlineSeconds \(5 s\)\)\n$/)
})
