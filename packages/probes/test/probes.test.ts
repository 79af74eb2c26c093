import { Writable } from 'node:stream'
import Fastify, { type FastifyInstance } from 'fastify'
import { test, type Test } from 'tap'
import { LIFECYCLE_DECORATOR } from '@zerodown/shutdown/lifecycle'
import zerodownShutdown, { ShutdownTimeoutError } from '@zerodown/shutdown'
import zerodownProbes, { zerodownProbes as named, type LifecycleState, type ProbesOptions } from '../src/index.js'
import { resolveOptions } from '../src/options.js'
import { TestLifecycle } from './fixtures/lifecycle.js'

async function build (t: Test, opts: ProbesOptions = {}, lifecycle?: TestLifecycle): Promise<FastifyInstance> {
  const app = Fastify()
  t.teardown(() => app.close())
  if (lifecycle !== undefined) app.decorate(LIFECYCLE_DECORATOR, { getter: () => lifecycle })
  await app.register(zerodownProbes, opts)
  return app
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

async function statuses (app: FastifyInstance): Promise<[number, number, number]> {
  const [live, ready, startup] = await Promise.all(['/livez', '/readyz', '/startupz'].map((url) => app.inject(url)))
  return [live!.statusCode, ready!.statusCode, startup!.statusCode]
}

test('default and named exports are the same plugin, named @zerodown/probes', async (t) => {
  t.equal(named, zerodownProbes)
  t.equal((zerodownProbes as unknown as Record<symbol, unknown>)[Symbol.for('fastify.display-name')], '@zerodown/probes')
})

// [state, liveness, readiness, startup]
const table: Array<[LifecycleState, number, number, number]> = [
  ['starting', 200, 503, 503],
  ['ready', 200, 200, 200],
  ['draining', 200, 503, 200],
  ['closing', 200, 503, 200],
  ['closed', 200, 503, 200]
]

test('each lifecycle state gives the three answers of the design table', async (t) => {
  const lifecycle = new TestLifecycle()
  const app = await build(t, {}, lifecycle)
  await app.ready()
  for (const [state, live, ready, startup] of table) {
    lifecycle.set(state)
    t.same(await statuses(app), [live, ready, startup], `${state}: liveness ${live}, readiness ${ready}, startup ${startup}`)
    t.equal(app.probes.state, state)
  }
})

test('the lifecycle is read lazily: decorated after the probes registered, it still rules', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(zerodownProbes)
  const lifecycle = new TestLifecycle('ready')
  app.decorate(LIFECYCLE_DECORATOR, { getter: () => lifecycle })
  await app.ready()
  t.same(await statuses(app), [200, 200, 200])
  lifecycle.set('draining')
  t.same(await statuses(app), [200, 503, 200], 'readiness flips on the very next probe')
})

test('bodies are {"status":"ok"} / {"status":"fail"} JSON, not cached by anyone', async (t) => {
  const lifecycle = new TestLifecycle('ready')
  const app = await build(t, {}, lifecycle)
  const res = await app.inject('/readyz')
  t.equal(res.statusCode, 200)
  t.same(res.json(), { status: 'ok' })
  t.match(res.headers['content-type'], /^application\/json/)
  t.equal(res.headers['cache-control'], 'no-store')
  lifecycle.set('draining')
  const failed = await app.inject('/readyz')
  t.equal(failed.statusCode, 503)
  t.same(failed.json(), { status: 'fail' })
  t.same((await app.inject('/startupz')).json(), { status: 'ok' })
  t.same((await app.inject('/livez')).json(), { status: 'ok' })
})

test('without a lifecycle: starting until listening, ready after, not ready once close begins', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(zerodownProbes)
  let during: LifecycleState | undefined
  app.addHook('preClose', async () => { during = app.probes.state })
  await app.ready()
  t.equal(app.probes.state, 'starting')
  t.same(await statuses(app), [200, 503, 503], 'ready() alone is not listening')
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.equal(app.probes.state, 'ready')
  t.same(await statuses(app), [200, 200, 200])
  await app.close()
  t.equal(during, 'closing', 'closing as soon as close() runs its preClose hooks')
})

test('declared startup work keeps startup and readiness failing until it resolves', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(zerodownProbes)
  let finish!: () => void
  app.probes.addStartupWork(new Promise<void>((resolve) => { finish = resolve }))
  let finishToo!: () => void
  app.probes.addStartupWork(new Promise<void>((resolve) => { finishToo = resolve }))
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.same(await statuses(app), [200, 503, 503], 'listening, but warm-up still running')
  finish()
  await new Promise((resolve) => setImmediate(resolve))
  t.same(await statuses(app), [200, 503, 503], 'one piece of work still pending')
  finishToo()
  await new Promise((resolve) => setImmediate(resolve))
  t.same(await statuses(app), [200, 200, 200], 'all work done')
})

test('startup work that rejects keeps startup failing, like the lifecycle contract', async (t) => {
  const lines: string[] = []
  const stream = new Writable({ write (chunk, _enc, cb) { lines.push(String(chunk)); cb() } })
  const app = Fastify({ logger: { level: 'error', stream } })
  t.teardown(() => app.close())
  await app.register(zerodownProbes)
  let fail!: (err: Error) => void
  app.probes.addStartupWork(new Promise<void>((_resolve, reject) => { fail = reject }))
  await app.listen({ port: 0, host: '127.0.0.1' })
  fail(new Error('cache warm-up failed'))
  await new Promise((resolve) => setImmediate(resolve))
  t.same(await statuses(app), [200, 503, 503], 'never started: Kubernetes will restart it')
  t.match(lines.join(''), /cache warm-up failed/, 'the failure is logged')
})

test('startup work declared through the probes goes to the decorated lifecycle, whose state the probes answer', async (t) => {
  const lifecycle = new TestLifecycle('starting')
  const app = await build(t, {}, lifecycle)
  const work = new Promise<void>(() => {})
  app.probes.addStartupWork(work)
  t.same(lifecycle.work, [work], 'forwarded to the lifecycle')
  lifecycle.set('ready')
  t.same(await statuses(app), [200, 200, 200], 'the lifecycle says ready: so do the probes')
  t.equal(app.probes.state, 'ready')
})

test('startup work added before @zerodown/shutdown registers is handed to its lifecycle', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(zerodownProbes)
  let finish!: () => void
  app.probes.addStartupWork(new Promise<void>((resolve) => { finish = resolve }))
  await app.register(zerodownShutdown, { exit: false })
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.equal(app.lifecycle.state, 'starting', 'the lifecycle waits for the work added through the probes')
  t.same(await statuses(app), [200, 503, 503])
  finish()
  await tick()
  t.equal(app.lifecycle.state, 'ready')
  t.same(await statuses(app), [200, 200, 200])
})

/** Fastify with @zerodown/shutdown (or not) and the probes, its error and warn lines collected. */
async function withLifecycle (t: Test, shutdown: boolean): Promise<{ app: FastifyInstance, logs: Array<{ level: number, msg: string, err?: { message: string } }> }> {
  const logs: Array<{ level: number, msg: string }> = []
  const stream = new Writable({ write (chunk, _enc, cb) { logs.push(JSON.parse(String(chunk))); cb() } })
  const app = Fastify({ logger: { level: 'warn', stream } })
  t.teardown(() => app.close())
  if (shutdown) await app.register(zerodownShutdown, { exit: false })
  await app.register(zerodownProbes)
  return { app, logs }
}

for (const shutdown of [true, false]) {
  const which = shutdown ? 'with @zerodown/shutdown' : 'the probes alone'
  for (const outcome of ['resolves', 'rejects'] as const) {
    test(`${which}: startup work added once ready is logged and never takes the instance out of service, when it ${outcome}`, async (t) => {
      const { app, logs } = await withLifecycle(t, shutdown)
      const state = (): LifecycleState => shutdown ? app.lifecycle.state : app.probes.state
      await app.listen({ port: 0, host: '127.0.0.1' })
      t.equal(state(), 'ready')
      let settle!: () => void
      app.probes.addStartupWork(new Promise<void>((resolve, reject) => {
        settle = outcome === 'resolves' ? resolve : () => reject(new Error('late warm-up failed'))
      }))
      t.match(logs.find((l) => l.level === 40), { msg: /startup work added while ready: it changes no state/ }, 'the late work is logged')
      for (const moment of ['while the work runs', `once it ${outcome}`]) {
        if (moment !== 'while the work runs') {
          settle()
          await tick()
        }
        t.equal(state(), 'ready', `${moment}: still ready`)
        if (shutdown) t.equal(app.probes.state, app.lifecycle.state, `${moment}: the probes answer the lifecycle's state`)
        t.same(await statuses(app), [200, 200, 200], `${moment}: readiness 200`)
      }
      const failure = logs.find((l) => l.level === 50)
      if (outcome === 'rejects') t.match(failure, { err: { message: 'late warm-up failed' }, msg: /added after the instance left starting failed; it changes no state/ })
      else t.equal(failure, undefined, 'nothing failed')
    })
  }
}

test('details only when asked (verboseQuery: true on the main port), with state and each check, never error internals', async (t) => {
  const lifecycle = new TestLifecycle('ready')
  const app = await build(t, {
    verboseQuery: true,
    checks: [
      { name: 'db', check: async () => { throw new Error('password authentication failed for user "admin" at 10.0.0.7') } },
      { name: 'cache', check: () => true, critical: false }
    ]
  }, lifecycle)
  const plain = await app.inject('/readyz')
  t.equal(plain.statusCode, 503)
  t.same(plain.json(), { status: 'fail' })

  const verbose = await app.inject('/readyz?verbose')
  t.equal(verbose.statusCode, 503)
  const body = verbose.json()
  t.match(body, {
    status: 'fail',
    state: 'ready',
    underPressure: false,
    checks: [
      { name: 'db', status: 'fail', critical: true, message: 'threw an error' },
      { name: 'cache', status: 'pass', critical: false }
    ]
  })
  t.type(body.checks[0].durationMs, 'number')
  t.notMatch(verbose.body, /password|admin|10\.0\.0\.7|stack|at .*\.ts/, 'no message, stack or internals of the error')

  t.same((await app.inject('/readyz?verbose=false')).json(), { status: 'fail' }, '?verbose=false is not verbose')
  t.match((await app.inject('/livez?verbose=1')).json(), { status: 'ok', state: 'ready' })
  lifecycle.set('draining')
  t.same((await app.inject('/startupz?verbose')).json(), { status: 'ok', state: 'draining' })
  t.same((await app.inject('/readyz?verbose')).json(), { status: 'fail', state: 'draining', underPressure: false },
    'draining: no check runs')
})

test('?verbose on the main port answers no details unless verboseQuery enables it', async (t) => {
  const failing = { checks: [{ name: 'db', check: () => false }] }
  for (const url of ['/readyz?verbose', '/readyz?verbose=1', '/readyz?verbose=true']) {
    const closed = await build(t, failing, new TestLifecycle('ready'))
    const res = await closed.inject(url)
    t.equal(res.statusCode, 503)
    t.same(res.json(), { status: 'fail' }, `${url}: no check names, states or timings for whoever reaches the app`)
  }
  t.same((await (await build(t, {}, new TestLifecycle('ready'))).inject('/livez?verbose')).json(), { status: 'ok' })
  const open = await build(t, { ...failing, verboseQuery: true }, new TestLifecycle('ready'))
  t.match((await open.inject('/readyz?verbose')).json(), { status: 'fail', state: 'ready', checks: [{ name: 'db', status: 'fail' }] }, 'verboseQuery: true')
  const explicit = await build(t, { ...failing, verboseQuery: false }, new TestLifecycle('ready'))
  t.same((await explicit.inject('/readyz?verbose')).json(), { status: 'fail' }, 'verboseQuery: false')
})

test('the verbose option answers details without the query', async (t) => {
  const app = await build(t, { verbose: true }, new TestLifecycle('ready'))
  t.same((await app.inject('/readyz')).json(), { status: 'ok', state: 'ready', underPressure: false, checks: [] })
})

test('paths are configurable, and a probe can be turned off', async (t) => {
  const app = await build(t, { paths: { liveness: '/health/live', readiness: '/health/ready', startup: false } }, new TestLifecycle('ready'))
  t.equal((await app.inject('/health/live')).statusCode, 200)
  t.equal((await app.inject('/health/ready')).statusCode, 200)
  for (const url of ['/livez', '/readyz', '/startupz']) t.equal((await app.inject(url)).statusCode, 404, `${url} is not served`)
  t.equal((await app.inject({ method: 'HEAD', url: '/health/ready' })).statusCode, 200, 'HEAD works too')
})

test('probe requests are not request-logged by default; logRequests brings them back', async (t) => {
  for (const logRequests of [false, true]) {
    const lines: string[] = []
    const stream = new Writable({ write (chunk, _enc, cb) { lines.push(String(chunk)); cb() } })
    const app = Fastify({ logger: { level: 'info', stream } })
    t.teardown(() => app.close())
    await app.register(zerodownProbes, { logRequests })
    app.get('/', async () => 'hello')
    await app.ready()
    for (const url of ['/livez', '/readyz', '/startupz', '/']) await app.inject(url)
    const logged = lines.map((l) => JSON.parse(l) as { req?: { url: string } }).filter((l) => l.req !== undefined).map((l) => l.req!.url)
    if (logRequests) {
      t.same(logged, ['/livez', '/readyz', '/startupz', '/'], 'logRequests: true logs probes like any request')
    } else {
      t.same(logged, ['/'], 'only the user request is logged')
    }
  }
})

test('addCheck on the instance adds a readiness check', async (t) => {
  const app = await build(t, { cacheTtl: 0, verboseQuery: true }, new TestLifecycle('ready'))
  t.equal((await app.inject('/readyz')).statusCode, 200)
  let healthy = true
  app.probes.addCheck('queue', () => healthy, { timeout: 100 })
  t.equal((await app.inject('/readyz')).statusCode, 200)
  healthy = false
  const res = await app.inject('/readyz?verbose')
  t.equal(res.statusCode, 503)
  t.match(res.json().checks, [{ name: 'queue', status: 'fail', message: 'returned false' }])
})

// The contract's variables: option, then environment, then default; an empty variable counts as unset.
const ALL_ENV = {
  ZERODOWN_PROBE_PORT: '9100',
  ZERODOWN_PROBE_LIVENESS_PATH: '/env/live',
  ZERODOWN_PROBE_READINESS_PATH: '/env/ready',
  ZERODOWN_PROBE_STARTUP_PATH: '/env/start',
  ZERODOWN_PROBE_CHECK_TIMEOUT_MS: '250'
}
const EMPTY_ENV = Object.fromEntries(Object.keys(ALL_ENV).map((name) => [name, '']))
const fromEnv = (name: string): string => `environment variable ${name}`
type Want = Record<'liveness' | 'readiness' | 'startup' | 'checkTimeout' | 'port', [unknown, string]>
const defaults: Want = {
  liveness: ['/livez', 'default'],
  readiness: ['/readyz', 'default'],
  startup: ['/startupz', 'default'],
  checkTimeout: [500, 'default'],
  port: [undefined, 'default']
}
const precedence: Array<[string, ProbesOptions, Want]> = [
  ['defaults', { env: {} }, defaults],
  ['empty variables count as unset', { env: EMPTY_ENV }, defaults],
  ['environment beats the defaults', { env: ALL_ENV }, {
    liveness: ['/env/live', fromEnv('ZERODOWN_PROBE_LIVENESS_PATH')],
    readiness: ['/env/ready', fromEnv('ZERODOWN_PROBE_READINESS_PATH')],
    startup: ['/env/start', fromEnv('ZERODOWN_PROBE_STARTUP_PATH')],
    checkTimeout: [250, fromEnv('ZERODOWN_PROBE_CHECK_TIMEOUT_MS')],
    port: [9100, fromEnv('ZERODOWN_PROBE_PORT')]
  }],
  ['port 0 from the environment is a real value', { env: { ZERODOWN_PROBE_PORT: '0' } }, { ...defaults, port: [0, fromEnv('ZERODOWN_PROBE_PORT')] }],
  ['options beat the environment', { port: 9200, checkTimeout: 100, paths: { liveness: '/opt/live', readiness: false, startup: '/opt/start' }, env: ALL_ENV }, {
    liveness: ['/opt/live', 'option "paths.liveness"'],
    readiness: [false, 'option "paths.readiness"'],
    startup: ['/opt/start', 'option "paths.startup"'],
    checkTimeout: [100, 'option "checkTimeout"'],
    port: [9200, 'option "port"']
  }],
  ['each value on its own: an option for one path, the environment for another', { paths: { liveness: '/opt/live' }, env: { ZERODOWN_PROBE_READINESS_PATH: '/env/ready' } }, {
    ...defaults,
    liveness: ['/opt/live', 'option "paths.liveness"'],
    readiness: ['/env/ready', fromEnv('ZERODOWN_PROBE_READINESS_PATH')]
  }]
]

for (const [title, opts, want] of precedence) {
  test(`precedence: ${title}`, async (t) => {
    const { settings, routes, port, checkTimeout } = resolveOptions(opts)
    for (const kind of ['liveness', 'readiness', 'startup'] as const) {
      t.same(settings.paths[kind], { value: want[kind][0], source: want[kind][1] }, kind)
    }
    t.same(settings.checkTimeout, { value: want.checkTimeout[0], source: want.checkTimeout[1] }, 'checkTimeout')
    t.same(settings.port, { value: want.port[0], source: want.port[1] }, 'port')
    t.equal(port, want.port[0], 'the port used')
    t.equal(checkTimeout, want.checkTimeout[0], 'the check timeout used')
    t.same(routes.map(([path]) => path), (['liveness', 'readiness', 'startup'] as const).map((k) => want[k][0]).filter((p) => p !== false), 'the routes served')
  })
}

test('the paths and check timeout from the environment are the ones served and used', async (t) => {
  const app = await build(t, { env: { ...ALL_ENV, ZERODOWN_PROBE_PORT: '' }, verboseQuery: true, checks: [{ name: 'slow', check: () => new Promise(() => {}) }] })
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.equal((await app.inject('/env/live')).statusCode, 200)
  t.equal((await app.inject('/livez')).statusCode, 404, 'the default path is not served')
  const ready = await app.inject('/env/ready?verbose')
  t.match(ready.json(), { status: 'fail', checks: [{ name: 'slow', message: 'timed out after 250 ms' }] }, 'checks time out after ZERODOWN_PROBE_CHECK_TIMEOUT_MS')
  t.equal((await app.inject('/env/start')).statusCode, 200)
})

test('reads process.env when no env option is given, and logs the values once at start', async (t) => {
  const saved = process.env.ZERODOWN_PROBE_READINESS_PATH
  process.env.ZERODOWN_PROBE_READINESS_PATH = '/ready-from-env'
  t.teardown(() => { if (saved === undefined) delete process.env.ZERODOWN_PROBE_READINESS_PATH; else process.env.ZERODOWN_PROBE_READINESS_PATH = saved })
  const logs: Array<Record<string, unknown>> = []
  const stream = new Writable({ write (chunk: Buffer, _encoding, callback) { logs.push(JSON.parse(chunk.toString())); callback() } })
  const app = Fastify({ logger: { level: 'info', stream } })
  t.teardown(() => app.close())
  await app.register(zerodownProbes, { checkTimeout: 300 })
  await app.ready()
  t.equal((await app.inject('/ready-from-env')).statusCode, 503, 'served at the path from the environment')
  const starts = logs.filter((l) => l.settings !== undefined)
  t.equal(starts.length, 1, 'one start line')
  t.match(starts[0], {
    level: 30,
    zerodown: 'probes',
    settings: { paths: { readiness: { value: '/ready-from-env', source: 'environment variable ZERODOWN_PROBE_READINESS_PATH' } }, checkTimeout: { value: 300, source: 'option "checkTimeout"' } },
    msg: 'probes: liveness /livez (default), readiness /ready-from-env (environment variable ZERODOWN_PROBE_READINESS_PATH), ' +
      'startup /startupz (default), checkTimeout 300 ms (option "checkTimeout"), on the main port (default)'
  })
})

for (const [lateWork, hang] of [['resolves', false], ['rejects', true]] as const) {
  test(`late startup work that ${lateWork}, then app.shutdown() with exit: false ${hang ? 'and a hung onClose hook: rejects at the deadline' : 'finishing: resolves'}`, async (t) => {
    const app = Fastify()
    t.teardown(() => app.close())
    await app.register(zerodownShutdown, { exit: false, drainDelay: 100, timeout: 600 })
    await app.register(zerodownProbes)
    let release = (): void => {}
    if (hang) app.addHook('onClose', () => new Promise<void>((resolve) => { release = resolve }))
    t.teardown(() => release())
    await app.listen({ port: 0, host: '127.0.0.1' })
    const check = async (moment: string, state: LifecycleState, ready: number): Promise<void> => {
      t.same([app.lifecycle.state, app.probes.state], [state, state], `${moment}: app.lifecycle.state and app.probes.state are ${state}`)
      t.equal((await app.inject('/readyz')).statusCode, ready, `${moment}: readiness ${ready}`)
    }

    let settle!: () => void
    app.probes.addStartupWork(new Promise<void>((resolve, reject) => {
      settle = lateWork === 'resolves' ? resolve : () => reject(new Error('late work failed'))
    }))
    await check('while the late work runs', 'ready', 200)
    settle()
    await tick()
    await check(`once it ${lateWork}`, 'ready', 200)

    const done = app.shutdown('test').then(() => undefined, (err: unknown) => err)
    await check('draining', 'draining', 503)
    const outcome = await done
    if (hang) {
      t.type(outcome, ShutdownTimeoutError, 'the deadline rejects shutdown()')
      t.match((outcome as Error).message, /within timeout \(600 ms\); still pending: phase closing/)
      // Fastify is closing: the probes are no longer reachable through it (a probe port would be).
      t.same([app.lifecycle.state, app.probes.state], ['closing', 'closing'], 'after the deadline, the hook still hung: closing')
    } else {
      t.equal(outcome, undefined, 'shutdown() resolves')
      t.same([app.lifecycle.state, app.probes.state], ['closed', 'closed'], 'closed')
    }
  })
}
