// The bin as npm links it: exit codes, messages, --json, --report, --compare, Ctrl+C.
import { spawn, spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test } from 'tap'
import { alivePids, FIXTURE, manifest } from './fixtures/helpers.js'

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url))
const TIMINGS = ['--propagation-delay-ms', '300', '--warmup-ms', '300', '--tail-ms', '300', '--rate', '100', '--connections', '4', '--restart-backoff-ms', '200']
const FAST = [...TIMINGS, '--slow-share', '0.2', '--slow-path', '/work?ms=200']

function cleanEnv (): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== 'NODE_OPTIONS' && !key.startsWith('TAP') && !key.startsWith('_TAPJS')))
}

function run (args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000, env: cleanEnv() })
}

test('--help prints the usage and exits 0', async (t) => {
  const result = run(['--help'])
  t.equal(result.status, 0)
  t.match(result.stdout, /Usage: zerodown-rehearse \[options\] -- command to start one pod\.\.\./)
  t.match(result.stdout, /--propagation-delay-ms N/)
  t.match(result.stdout, /--load FILE/)
  t.match(result.stdout, /--pass-env NAME/)
})

test('without a command: a usage error, exit 2', async (t) => {
  const result = run(['--manifest', 'whatever.yaml'])
  t.equal(result.status, 2)
  t.match(result.stderr, /^zerodown-rehearse: a command that starts one pod is required, after --, e\.g\. zerodown-rehearse --manifest app\.yaml -- node dist\/server\.js\n\nUsage: /)
})

test('bad input exits 2 with a message naming what is wrong', async (t) => {
  const dir = t.testdir({ 'service.yaml': 'kind: Service\nmetadata: { name: s }\n', 'fx.yaml': manifest(), 'load.yaml': 'requests:\n  - path: /\n  - { path: /, expect: [] }\n' })
  const cases: Array<[string[], RegExp]> = [
    [['--bogus'], /Unknown option '--bogus'/],
    [['--rate', 'abc', '--', 'node', FIXTURE], /--rate expects a number, got "abc"/],
    [['--slow-share', '2', '--', 'node', FIXTURE], /"load.slowShare": expected a number from 0 to 1, got number 2/],
    [['--env', 'NOEQUALS'], /--env expects KEY=VALUE, got "NOEQUALS"/],
    [['--report', 'out.txt', '--', 'node', FIXTURE], /--report expects a FILE.html/],
    [['--baseline', '--', 'node', 'x.js'], /--baseline and a command cannot be used together/],
    [['--load', join(dir, 'missing.yaml'), '--', 'node', FIXTURE], /Invalid load file .*missing\.yaml: cannot read it \(ENOENT\)/],
    [['--load', join(dir, 'load.yaml'), '--', 'node', FIXTURE], /Invalid load file .*load\.yaml: requests\[1\]\.expect: expected a non-empty list of HTTP statuses/],
    [['--load', join(dir, 'load.yaml'), '--slow-path', '/x', '--', 'node', FIXTURE], /--load and --fast-path\/--slow-path\/--slow-share cannot be used together/],
    [['--pass-env', 'NOT A NAME', '--', 'node', FIXTURE], /"passEnv": expected an array of environment variable names/],
    [['--manifest', join(dir, 'missing.yaml'), '--', 'node', FIXTURE], /cannot read it \(ENOENT\)/],
    [['--manifest', join(dir, 'service.yaml'), '--', 'node', FIXTURE], /holds no Deployment \(found: Service\)/],
    [['--proxy', 'envoy', '--', 'node', FIXTURE], /--proxy expects one of kube-proxy, ingress, nginx, got "envoy"/],
    [['--burst-ms', '100', '--', 'node', FIXTURE], /--burst-ms needs --open-loop/],
    [['--sweep-runs', '3', '--', 'node', FIXTURE], /--sweep-step-ms and --sweep-runs need --sweep/],
    [['--sweep', '--compare', '--', 'node', FIXTURE], /--sweep and --compare cannot be used together/],
    [['--client-retries', '11', '--', 'node', FIXTURE], /"load.retries": expected an integer from 0 to 10, got number 11/],
    [['--image', 'localhost/app:1', '--', 'node', FIXTURE], /--image\/--old-image\/--new-image and a command \(or --baseline\) cannot be used together/],
    [['--image', 'localhost/app:1', '--compare'], /--compare rehearses the naive baseline as a process/],
    [['--old-image', 'localhost/app:1', '--manifest', join(dir, 'fx.yaml')], /"newImage": expected an image reference: oldImage and newImage go together/],
    [['--image', 'localhost/app:1', '--runtime', 'lxc', '--manifest', join(dir, 'fx.yaml')], /"runtime": expected one of podman, docker, got "lxc"/],
    [['--manifest', join(dir, 'fx.yaml'), ...FAST, '--', '/nonexistent/zerodown-app'], /The pod command \/nonexistent\/zerodown-app cannot start: spawn \/nonexistent\/zerodown-app ENOENT/]
  ]
  for (const [args, message] of cases) {
    const result = run(args)
    t.equal(result.status, 2, args.join(' '))
    t.match(result.stderr, message)
  }
})

test('--proxy nginx without nginx on PATH says so and exits 2', async (t) => {
  const dir = t.testdir({ 'fx.yaml': manifest() })
  const result = spawnSync(process.execPath, [cli, '--manifest', join(dir, 'fx.yaml'), '--proxy', 'nginx', '--', 'node', FIXTURE],
    { encoding: 'utf8', timeout: 60_000, env: { ...cleanEnv(), PATH: dir } })
  t.equal(result.status, 2)
  t.equal(result.stderr, 'zerodown-rehearse: Cannot use the proxy nginx: no nginx executable on PATH (install it, e.g. apt-get install nginx, or use --proxy ingress, its model)\n')
})

test('a stuck rollout exits 1 and shows the pod output', async (t) => {
  const dir = t.testdir({ 'fx.yaml': manifest({ progressDeadlineSeconds: 3 }) })
  const result = run(['--manifest', join(dir, 'fx.yaml'), ...FAST, '--env', 'GRACEFUL=1', '--env', 'NEVER_READY_VERSION=2.0.0', '--', 'node', FIXTURE])
  t.equal(result.status, 1, result.stderr)
  t.match(result.stdout, /rollout: STUCK — no progress for progressDeadlineSeconds \(3 s\): ProgressDeadlineExceeded/)
  t.match(result.stdout, /\| fixture: listening at http:\/\/127\.0\.0\.1:\d+ as 2\.0\.0/)
  t.match(result.stdout, /FAIL: the rollout is stuck/)
})

test('--compare: the draining app passes, the naive baseline is caught failing, side by side', async (t) => {
  const dir = t.testdir({ 'fx.yaml': manifest() })
  const report = join(dir, 'report.html')
  // Half the requests take 400 ms, so a pod that dies at SIGTERM almost surely has some in flight.
  const result = run(['--manifest', join(dir, 'fx.yaml'), ...FAST, '--connections', '8', '--slow-share', '0.5', '--slow-path', '/work?ms=400',
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
})

test('--compare with a baseline that cannot be rehearsed is inconclusive, not a win', async (t) => {
  // The app reads its probe port from a variable of its own; the baseline knows only the contract's
  // ZERODOWN_PROBE_PORT, so nothing answers its probes and it never gets ready.
  const dir = t.testdir({ 'fx.yaml': manifest({ probePort: 9000, probePortEnv: 'APP_PROBE_PORT', progressDeadlineSeconds: 3 }) })
  const result = run(['--manifest', join(dir, 'fx.yaml'), ...FAST, '--env', 'GRACEFUL=1', '--env', 'PROBE_PORT_ENV=APP_PROBE_PORT', '--compare', '--', 'node', FIXTURE])
  t.equal(result.status, 1, result.stderr)
  t.match(result.stdout, /== app\n[\s\S]*PASS: the rollout completed/)
  t.match(result.stdout, /INCONCLUSIVE: the naive baseline could not be rehearsed: its rollout is stuck \(the 1\.0\.0 pods were not all available within progressDeadlineSeconds \(3 s\)\)\n$/)
})

test('Ctrl+C stops the rehearsal, kills every pod and exits 130', async (t) => {
  const dir = t.testdir({ 'fx.yaml': manifest(), pids: {} })
  const pids = join(dir, 'pids')
  const child = spawn('env', ['-u', 'NODE_OPTIONS', process.execPath, cli, '--manifest', join(dir, 'fx.yaml'), ...FAST, '--env', 'GRACEFUL=1', '--env', `PID_DIR=${pids}`, '--', 'node', FIXTURE],
    { stdio: ['ignore', 'pipe', 'pipe'], env: cleanEnv() })
  let stderr = ''
  child.stderr.on('data', (chunk) => { stderr += chunk })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const deadline = Date.now() + 30_000
  while (readdirSync(pids).length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
  t.equal(readdirSync(pids).length, 3, 'three pods started')
  child.kill('SIGINT')
  t.equal(await exited, 130)
  t.match(stderr, /interrupted, stopping every pod/)
  t.same(alivePids(pids), [], 'no orphan')
})

test('even a SIGKILLed rehearsal leaves no orphan: its watchdog kills every pod', async (t) => {
  const dir = t.testdir({ 'fx.yaml': manifest(), pids: {} })
  const pids = join(dir, 'pids')
  // Through `env -u NODE_OPTIONS` (it execs node, same pid): the test runner's process tracking puts
  // itself back into NODE_OPTIONS of what a test spawns, and would clean up the pods in our place.
  const child = spawn('env', ['-u', 'NODE_OPTIONS', process.execPath, cli, '--manifest', join(dir, 'fx.yaml'), ...FAST, '--env', `PID_DIR=${pids}`, '--', 'node', FIXTURE],
    { stdio: 'ignore', env: cleanEnv() })
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)))
  const deadline = Date.now() + 30_000
  while (readdirSync(pids).length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
  t.equal(readdirSync(pids).length, 3, 'three pods started')
  child.kill('SIGKILL')
  t.equal(await exited, 'SIGKILL')
  const gone = Date.now() + 10_000
  while (alivePids(pids).length > 0 && Date.now() < gone) await new Promise((resolve) => setTimeout(resolve, 50))
  t.same(alivePids(pids), [], 'no orphan')
})
