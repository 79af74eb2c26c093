// The bin as npm links it: exit codes, messages, --json, --report, --compare, Ctrl+C.
import { spawn, spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'tap'
import { CLI, cleanEnv, FAST, run } from './fixtures/cli.js'
import { alivePids, FIXTURE, manifest, within } from './fixtures/helpers.js'

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

test('a load file its HTTP client would refuse exits 2 naming the field, before any pod starts, without the usage', async (t) => {
  const dir = t.testdir({
    'connect.yaml': 'requests: [{ method: CONNECT, path: / }]\n',
    'crlf.yaml': 'requests: [{ path: /, headers: { x-trace: "a\\r\\nx-injected: 1" } }]\n',
    'body.json': JSON.stringify({ requests: [{ method: 'POST', path: '/', body: 'x'.repeat(1024 * 1024 + 1) }] })
  })
  const cases: Array<[string, RegExp]> = [
    ['connect.yaml', /^zerodown-rehearse: Invalid load file .*connect\.yaml: requests\[0\]\.method: expected a method other than CONNECT, which opens a tunnel rather than sending a request, got "CONNECT"\n$/],
    ['crlf.yaml', /^zerodown-rehearse: Invalid load file .*crlf\.yaml: requests\[0\]\.headers\.x-trace: expected a header value without line breaks or control characters, got "a\\r\\nx-injected: 1"\n$/],
    ['body.json', /^zerodown-rehearse: Invalid load file .*body\.json: requests\[0\]\.body: expected a body of at most 1048576 bytes \(1 MiB\), got "1048577 bytes"\n$/]
  ]
  for (const [file, message] of cases) {
    const result = run(['--load', join(dir, file), '--', 'node', FIXTURE])
    t.equal(result.status, 2, file)
    t.match(result.stderr, message, 'one line naming the file and the field: no usage, no FAIL blaming the app')
    t.equal(result.stdout, '')
  }
})

test('--proxy nginx without nginx on PATH says so and exits 2', async (t) => {
  const dir = t.testdir({ 'fx.yaml': manifest() })
  const result = spawnSync(process.execPath, [CLI, '--manifest', join(dir, 'fx.yaml'), '--proxy', 'nginx', '--', 'node', FIXTURE],
    { encoding: 'utf8', timeout: 60_000, env: { ...cleanEnv(), PATH: dir } })
  t.equal(result.status, 2)
  t.equal(result.stderr, 'zerodown-rehearse: Cannot use the proxy nginx: no nginx executable on PATH (install it, e.g. apt-get install nginx, or use --proxy ingress, its model)\n')
})

test('Ctrl+C stops the rehearsal, kills every pod and exits 130', async (t) => {
  const dir = t.testdir({ 'fx.yaml': manifest(), pids: {} })
  const pids = join(dir, 'pids')
  const child = spawn('env', ['-u', 'NODE_OPTIONS', process.execPath, CLI, '--manifest', join(dir, 'fx.yaml'), ...FAST, '--env', 'GRACEFUL=1', '--env', `PID_DIR=${pids}`, '--', 'node', FIXTURE],
    { stdio: ['ignore', 'pipe', 'pipe'], env: cleanEnv() })
  let stderr = ''
  child.stderr.on('data', (chunk) => { stderr += chunk })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const deadline = Date.now() + 30_000
  while (readdirSync(pids).length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
  t.equal(readdirSync(pids).length, 3, 'three pods started')
  child.kill('SIGINT')
  t.equal(await within(exited, 20_000, 'the interrupted CLI exited'), 130)
  t.match(stderr, /interrupted, stopping every pod/)
  t.same(alivePids(pids), [], 'no orphan')
})

test('even a SIGKILLed rehearsal leaves no orphan: its watchdog kills every pod', async (t) => {
  const dir = t.testdir({ 'fx.yaml': manifest(), pids: {} })
  const pids = join(dir, 'pids')
  // Through `env -u NODE_OPTIONS` (it execs node, same pid): the test runner's process tracking puts
  // itself back into NODE_OPTIONS of what a test spawns, and would clean up the pods in our place.
  const child = spawn('env', ['-u', 'NODE_OPTIONS', process.execPath, CLI, '--manifest', join(dir, 'fx.yaml'), ...FAST, '--env', `PID_DIR=${pids}`, '--', 'node', FIXTURE],
    { stdio: 'ignore', env: cleanEnv() })
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)))
  const deadline = Date.now() + 30_000
  while (readdirSync(pids).length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
  t.equal(readdirSync(pids).length, 3, 'three pods started')
  child.kill('SIGKILL')
  t.equal(await within(exited, 10_000, 'the SIGKILLed CLI exited'), 'SIGKILL')
  const gone = Date.now() + 10_000
  while (alivePids(pids).length > 0 && Date.now() < gone) await new Promise((resolve) => setTimeout(resolve, 50))
  t.same(alivePids(pids), [], 'no orphan')
})
