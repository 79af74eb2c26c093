// In-process behaviour: options, the lifecycle contract, and shutdown() with exit: false.
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { connect, type AddressInfo } from 'node:net'
import { Readable, Writable } from 'node:stream'
import { connect as tlsConnect } from 'node:tls'
import closeWithGrace from 'close-with-grace'
import { Agent, request } from 'undici'
import Fastify, { type FastifyInstance } from 'fastify'
import { readyError, within } from '@zerodown/testkit'
import { test, type Test } from 'tap'
import zerodownShutdown, {
  DEFAULTS,
  ENV,
  ShutdownAlreadyRegisteredError,
  ShutdownInvalidEnvError,
  ShutdownInvalidOptionError,
  ShutdownInvalidTimingError,
  ShutdownOtherHandlerError,
  ShutdownTimeoutError,
  findLifecycle,
  type LifecycleState,
  type ShutdownOptions
} from '../src/index.js'
import { resolveOptions } from '../src/options.js'
import { trackTraffic } from '../src/traffic.js'

function appWithLogs (t: Test): { app: FastifyInstance, logs: Array<Record<string, unknown>> } {
  const logs: Array<Record<string, unknown>> = []
  const stream = new Writable({
    write (chunk: Buffer, _encoding, callback) {
      logs.push(JSON.parse(chunk.toString()) as Record<string, unknown>)
      callback()
    }
  })
  const app = Fastify({ logger: { level: 'info', stream } })
  t.teardown(() => app.close())
  return { app, logs }
}

async function registerError (opts: unknown, app = Fastify()): Promise<unknown> {
  app.register(zerodownShutdown, opts as ShutdownOptions)
  return readyError(app)
}

const invalidOptions: Array<[string, unknown, RegExp]> = [
  ['negative drainDelay', { drainDelay: -1 }, /"drainDelay": expected a whole number of milliseconds from 0 to 2147483647 \(setTimeout's limit is about 24\.8 days\), got -1$/],
  ['drainDelay as a string', { drainDelay: '5000' }, /"drainDelay": expected a whole number of milliseconds from 0 to 2147483647 \(setTimeout's limit is about 24\.8 days\), got "5000"$/],
  ['drainDelay NaN', { drainDelay: Number.NaN }, /"drainDelay".*got NaN$/],
  ['drainDelay null', { drainDelay: null }, /"drainDelay".*got null$/],
  ['negative timeout', { timeout: -5 }, /"timeout": expected a whole number of milliseconds from 0 to 2147483647 \(setTimeout's limit is about 24\.8 days\), got -5$/],
  ['infinite timeout', { timeout: Infinity }, /"timeout".*got Infinity$/],
  ['timeout as a string', { timeout: '20s' }, /"timeout".*got "20s"/],
  ['timeout one past setTimeout\'s limit', { timeout: 2_147_483_648 }, /"timeout": expected a whole number of milliseconds from 0 to 2147483647 \(setTimeout's limit is about 24\.8 days\), got 2147483648$/],
  ['drainDelay one past setTimeout\'s limit', { drainDelay: 2_147_483_648 }, /"drainDelay": expected a whole number of milliseconds from 0 to 2147483647/],
  ['an unknown signal name', { signals: ['SIGTERM', 'SIGFOO'] }, /"signals": expected an array of distinct signal names among SIGHUP, .*SIGTERM, got an array$/],
  ['SIGKILL, which cannot be handled', { signals: ['SIGKILL'] }, /"signals".*got an array$/],
  ['a signal twice', { signals: ['SIGTERM', 'SIGTERM'] }, /"signals".*distinct/],
  ['signals as a string', { signals: 'SIGTERM' }, /"signals".*got "SIGTERM"/],
  ['exit as a string', { exit: 'no' }, /"exit": expected true or false, got "no"/],
  ['eventStreamEnd as a number', { eventStreamEnd: 2000 }, /"eventStreamEnd": expected a string \(the final server-sent event/],
  ['env as a string', { env: 'production' }, /"env": expected an object of environment variables, got "production"/],
  ['a fractional drainDelay', { drainDelay: 1.5 }, /"drainDelay": expected a whole number of milliseconds/],
  ['a misspelled option', { tiemout: 5000 }, /option "tiemout": expected a known option: did you mean "timeout"\?, got an unknown key$/],
  ['an option of another plugin', { checkTimeout: 500 }, /option "checkTimeout": expected one of "signals", "drainDelay", "timeout", "exit", "env", "eventStreamEnd", got an unknown key$/]
]

test('the options Fastify itself reads from every register() call are not unknown keys', async (t) => {
  t.equal(await registerError({ exit: false, prefix: '/api', logLevel: 'warn', logSerializers: {} }), undefined)
})

for (const [title, opts, message] of invalidOptions) {
  test(`rejects ${title}`, async (t) => {
    const err = await registerError(opts)
    t.type(err, ShutdownInvalidOptionError)
    t.equal((err as { code: string }).code, 'FST_ZERODOWN_SHUTDOWN_INVALID_OPTION')
    t.match((err as Error).message, message)
  })
}

// Each contract variable: option, then environment, then default; an empty variable counts as unset.
const K8S = { KUBERNETES_SERVICE_HOST: '10.96.0.1' }
const precedence: Array<[string, ShutdownOptions, { drainDelay: [number, string], timeout: [number, string] }]> = [
  ['defaults outside Kubernetes', { env: {} }, { drainDelay: [0, 'default outside Kubernetes'], timeout: [20_000, 'default'] }],
  ['defaults in Kubernetes', { env: K8S }, { drainDelay: [5000, 'default in Kubernetes: KUBERNETES_SERVICE_HOST is set'], timeout: [20_000, 'default'] }],
  ['environment beats the defaults', { env: { ...K8S, ZERODOWN_DRAIN_DELAY_MS: '7000', ZERODOWN_SHUTDOWN_TIMEOUT_MS: '25000' } },
    { drainDelay: [7000, 'environment variable ZERODOWN_DRAIN_DELAY_MS'], timeout: [25_000, 'environment variable ZERODOWN_SHUTDOWN_TIMEOUT_MS'] }],
  ['0 from the environment is a real value, also in Kubernetes', { env: { ...K8S, ZERODOWN_DRAIN_DELAY_MS: '0' } },
    { drainDelay: [0, 'environment variable ZERODOWN_DRAIN_DELAY_MS'], timeout: [20_000, 'default'] }],
  ['options beat the environment', { drainDelay: 100, timeout: 900, env: { ZERODOWN_DRAIN_DELAY_MS: '7000', ZERODOWN_SHUTDOWN_TIMEOUT_MS: 'bad' } },
    { drainDelay: [100, 'option "drainDelay"'], timeout: [900, 'option "timeout"'] }],
  ['empty variables count as unset', { env: { ...K8S, ZERODOWN_DRAIN_DELAY_MS: '', ZERODOWN_SHUTDOWN_TIMEOUT_MS: '' } },
    { drainDelay: [5000, 'default in Kubernetes: KUBERNETES_SERVICE_HOST is set'], timeout: [20_000, 'default'] }]
]

for (const [title, opts, want] of precedence) {
  test(`precedence: ${title}`, async (t) => {
    const resolved = resolveOptions(opts)
    t.equal(resolved.drainDelay, want.drainDelay[0])
    t.equal(resolved.timeout, want.timeout[0])
    t.same(resolved.settings, {
      drainDelay: { value: want.drainDelay[0], source: want.drainDelay[1] },
      timeout: { value: want.timeout[0], source: want.timeout[1] }
    })
  })
}

test('reads process.env when no env option is given, and logs the values once at start', async (t) => {
  const saved = process.env.ZERODOWN_DRAIN_DELAY_MS
  process.env.ZERODOWN_DRAIN_DELAY_MS = '1234'
  t.teardown(() => { if (saved === undefined) delete process.env.ZERODOWN_DRAIN_DELAY_MS; else process.env.ZERODOWN_DRAIN_DELAY_MS = saved })
  const { app, logs } = appWithLogs(t)
  await app.register(zerodownShutdown, { exit: false, timeout: 5000 })
  await app.ready()
  const starts = logs.filter((l) => l.settings !== undefined)
  t.equal(starts.length, 1, 'one start line')
  t.match(starts[0], {
    level: 30,
    zerodown: 'shutdown',
    settings: { drainDelay: { value: 1234, source: 'environment variable ZERODOWN_DRAIN_DELAY_MS' }, timeout: { value: 5000, source: 'option "timeout"' } },
    signals: ['SIGTERM', 'SIGINT'],
    msg: 'shutdown: drainDelay 1234 ms (environment variable ZERODOWN_DRAIN_DELAY_MS), timeout 5000 ms (option "timeout"), on SIGTERM, SIGINT'
  })
})

const invalidEnv: Array<[string, string]> = [
  ['ZERODOWN_DRAIN_DELAY_MS', '5s'],
  ['ZERODOWN_DRAIN_DELAY_MS', '-1'],
  ['ZERODOWN_DRAIN_DELAY_MS', '1.5'],
  ['ZERODOWN_DRAIN_DELAY_MS', '1e3'],
  ['ZERODOWN_DRAIN_DELAY_MS', ' 500'],
  ['ZERODOWN_DRAIN_DELAY_MS', '99999999999999999999'],
  ['ZERODOWN_SHUTDOWN_TIMEOUT_MS', '20s'],
  ['ZERODOWN_SHUTDOWN_TIMEOUT_MS', '0x10'],
  ['ZERODOWN_SHUTDOWN_TIMEOUT_MS', 'Infinity']
]

test('setTimeout\'s limit itself is taken, from an option and from the environment; one past it is refused', async (t) => {
  t.match(resolveOptions({ drainDelay: 2_147_483_646, timeout: 2_147_483_647, env: {} }), { drainDelay: 2_147_483_646, timeout: 2_147_483_647 })
  t.match(resolveOptions({ env: { ZERODOWN_SHUTDOWN_TIMEOUT_MS: '2147483647' } }), { timeout: 2_147_483_647 })
  const err = await registerError({ env: { ZERODOWN_SHUTDOWN_TIMEOUT_MS: '2147483648' } })
  t.equal((err as Error).message,
    'Invalid @zerodown/shutdown environment: environment variable ZERODOWN_SHUTDOWN_TIMEOUT_MS must be a whole number of milliseconds from 0 to 2147483647 (setTimeout\'s limit is about 24.8 days), got "2147483648"')
})

for (const [variable, value] of invalidEnv) {
  test(`rejects ${variable}=${JSON.stringify(value)}, naming the variable`, async (t) => {
    const err = await registerError({ env: { [variable]: value } })
    t.type(err, ShutdownInvalidEnvError)
    t.equal((err as { code: string }).code, 'FST_ZERODOWN_SHUTDOWN_INVALID_ENV')
    t.equal((err as Error).message,
      `Invalid @zerodown/shutdown environment: environment variable ${variable} must be a whole number of milliseconds from 0 to 2147483647 (setTimeout's limit is about 24.8 days), got ${JSON.stringify(value)}`)
  })
}

// timeout counts from the signal and contains the drain: each side is named with where it came from.
const invalidTiming: Array<[string, ShutdownOptions, string]> = [
  ['options: timeout equal to drainDelay', { drainDelay: 1000, timeout: 1000 },
    'timeout 1000 ms (option "timeout") must be greater than drainDelay 1000 ms (option "drainDelay")'],
  ['options: timeout below drainDelay', { drainDelay: 3000, timeout: 2000 },
    'timeout 2000 ms (option "timeout") must be greater than drainDelay 3000 ms (option "drainDelay")'],
  ['a timeout option below the Kubernetes default drainDelay', { timeout: 3000, env: K8S },
    'timeout 3000 ms (option "timeout") must be greater than drainDelay 5000 ms (default in Kubernetes: KUBERNETES_SERVICE_HOST is set)'],
  ['a zero timeout', { timeout: 0, env: {} },
    'timeout 0 ms (option "timeout") must be greater than drainDelay 0 ms (default outside Kubernetes)'],
  ['both from the environment', { env: { ZERODOWN_DRAIN_DELAY_MS: '5000', ZERODOWN_SHUTDOWN_TIMEOUT_MS: '4000' } },
    'timeout 4000 ms (environment variable ZERODOWN_SHUTDOWN_TIMEOUT_MS) must be greater than drainDelay 5000 ms (environment variable ZERODOWN_DRAIN_DELAY_MS)'],
  ['a drain from the environment past the default timeout', { env: { ZERODOWN_DRAIN_DELAY_MS: '30000' } },
    'timeout 20000 ms (default) must be greater than drainDelay 30000 ms (environment variable ZERODOWN_DRAIN_DELAY_MS)'],
  ['a drainDelay option past a timeout from the environment', { drainDelay: 9000, env: { ZERODOWN_SHUTDOWN_TIMEOUT_MS: '8000' } },
    'timeout 8000 ms (environment variable ZERODOWN_SHUTDOWN_TIMEOUT_MS) must be greater than drainDelay 9000 ms (option "drainDelay")']
]

for (const [title, opts, message] of invalidTiming) {
  test(`rejects ${title}`, async (t) => {
    const err = await registerError(opts)
    t.type(err, ShutdownInvalidTimingError)
    t.equal((err as { code: string }).code, 'FST_ZERODOWN_SHUTDOWN_INVALID_TIMING')
    t.equal((err as Error).message, `Invalid @zerodown/shutdown timing: ${message}: the timeout is counted from the signal and contains the drain`)
  })
}

test('rejects registering twice on one instance', async (t) => {
  const app = Fastify()
  app.register(zerodownShutdown, { exit: false })
  const err = await registerError({ exit: false }, app)
  t.type(err, ShutdownAlreadyRegisteredError)
  t.equal((err as { code: string }).code, 'FST_ZERODOWN_SHUTDOWN_ALREADY_REGISTERED')
  t.match((err as Error).message, /already registered on this Fastify instance/)
})

test('rejects a second instance handling the signals of the same process, until the first is closed', async (t) => {
  const first = Fastify()
  await first.register(zerodownShutdown)
  const err = await registerError({})
  t.type(err, ShutdownAlreadyRegisteredError)
  t.match((err as Error).message, /already registered in this process/)
  t.equal(await registerError({ exit: false }), undefined, 'an instance with exit: false handles no signals and may coexist')
  await first.close()
  t.equal(await registerError({}), undefined, 'allowed again once the first instance is closed')
})

test('another close-with-grace on its signals, installed before or after it (fastify-cli\'s `fastify start`), fails ready() with a coded error', async (t) => {
  for (const when of ['after', 'before'] as const) {
    let other: { uninstall (): void } | undefined
    const install = (): void => { other = closeWithGrace({ skip: ['SIGINT'] }, async () => {}) }
    if (when === 'before') install()
    const app = Fastify()
    await app.register(zerodownShutdown)
    if (when === 'after') install()
    const err = await readyError(app)
    other?.uninstall()
    t.type(err, ShutdownOtherHandlerError, when)
    t.equal((err as { code: string }).code, 'FST_ZERODOWN_SHUTDOWN_OTHER_HANDLER')
    t.match((err as Error).message, /^Another close-with-grace handles SIGTERM in this process \(fastify-cli's `fastify start` installs one\).* exit: false/)
  }
})

test('other listeners on its signals are left alone, and with exit: false any close-with-grace is', async (t) => {
  const logLine = (): void => {}
  process.on('SIGTERM', logLine)
  t.teardown(() => { process.removeListener('SIGTERM', logLine) })
  const app = Fastify()
  await app.register(zerodownShutdown)
  t.equal(await readyError(app), undefined, 'a listener that is not close-with-grace\'s')

  const other = closeWithGrace(async () => {})
  t.teardown(() => other.uninstall())
  const embedded = Fastify()
  await embedded.register(zerodownShutdown, { exit: false })
  t.equal(await readyError(embedded), undefined, 'exit: false handles no signal: the other handler owns them')
})

test('defaults: drainDelay 5 s in Kubernetes, 0 elsewhere; timeout 20 s; SIGTERM and SIGINT', async (t) => {
  t.match(resolveOptions({ env: { KUBERNETES_SERVICE_HOST: '10.96.0.1' } }), { drainDelay: 5000, timeout: 20_000, signals: ['SIGTERM', 'SIGINT'], exit: true })
  t.match(resolveOptions({ env: {} }), { drainDelay: 0, timeout: 20_000 })
  t.match(resolveOptions({ env: { KUBERNETES_SERVICE_HOST: '' } }), { drainDelay: 0 }, 'an empty variable counts as unset')
  t.match(resolveOptions({ drainDelay: 0, env: { KUBERNETES_SERVICE_HOST: '10.96.0.1' } }), { drainDelay: 0 }, '0 is a real value')
  t.same(DEFAULTS, { signals: ['SIGTERM', 'SIGINT'], kubernetesDrainDelay: 5000, drainDelay: 0, timeout: 20_000, exit: true, eventStreamEnd: '' })
  t.same(ENV, { drainDelay: 'ZERODOWN_DRAIN_DELAY_MS', timeout: 'ZERODOWN_SHUTDOWN_TIMEOUT_MS' }, 'the contract variable names')
  const preStopSleep = 5000
  const gracePeriod = 30_000
  t.ok(preStopSleep + DEFAULTS.timeout < gracePeriod, 'preStop + timeout fits the default grace period')
  t.ok(preStopSleep + DEFAULTS.kubernetesDrainDelay >= 10_000, 'traffic is served 10 s after deletion, past load balancer delays')
  t.ok(Object.isFrozen(DEFAULTS), 'DEFAULTS cannot be changed by accident')
})

test('lifecycle: starting at registration, ready after listen once startup work settled, observable', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(zerodownShutdown, { exit: false })
  t.equal(app.lifecycle.state, 'starting')
  t.same(Object.keys(app.lifecycle).sort(), ['addStartupWork', 'onChange', 'state'], 'a read-only view: the transitions stay inside the plugin')
  t.ok(Object.isFrozen(app.lifecycle))
  t.equal(findLifecycle(app), app.lifecycle, 'also under the namespaced decorator the other zerodown plugins read')
  const seen: Array<[LifecycleState, LifecycleState]> = []
  const unsubscribe = app.lifecycle.onChange((state, previous) => seen.push([state, previous]))
  let finish = (): void => {}
  app.lifecycle.addStartupWork(new Promise<void>((resolve) => { finish = resolve }))
  app.get('/', async () => 'ok')

  await app.listen({ port: 0, host: '127.0.0.1' })
  t.equal(app.lifecycle.state, 'starting', 'still starting after listen while startup work runs')
  finish()
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(app.lifecycle.state, 'ready')
  t.same(seen, [['ready', 'starting']])

  unsubscribe()
  await app.shutdown()
  t.equal(app.lifecycle.state, 'closed')
  t.same(seen, [['ready', 'starting']], 'no more calls after unsubscribing')
})

test('lifecycle: failed startup work is logged and keeps the instance starting', async (t) => {
  const { app, logs } = appWithLogs(t)
  await app.register(zerodownShutdown, { exit: false })
  app.lifecycle.addStartupWork(Promise.reject(new Error('migrations failed')))
  await app.listen({ port: 0, host: '127.0.0.1' })
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(app.lifecycle.state, 'starting')
  t.match(logs.find((l) => l.level === 50), { err: { message: 'migrations failed' }, msg: /startup work failed/ })
})

test('lifecycle: startup work added once ready changes no state; its failure is logged', async (t) => {
  const { app, logs } = appWithLogs(t)
  await app.register(zerodownShutdown, { exit: false })
  await app.listen({ port: 0, host: '127.0.0.1' })
  t.equal(app.lifecycle.state, 'ready')
  app.lifecycle.addStartupWork(Promise.reject(new Error('late work failed')))
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(app.lifecycle.state, 'ready', 'still ready')
  t.match(logs.find((l) => l.level === 40 && String(l.msg).includes('startup work added while ready')), { state: 'ready' }, 'warned that it is too late')
  t.match(logs.find((l) => l.level === 50), { err: { message: 'late work failed' }, msg: /after the instance left starting failed/ })
})

test('a long-lived connection whose close() fails is logged, and the shutdown still completes', async (t) => {
  const { app, logs } = appWithLogs(t)
  await app.register(zerodownShutdown, { exit: false, drainDelay: 0, timeout: 5000 })
  await app.listen({ port: 0, host: '127.0.0.1' })
  app.addLongLivedConnection(() => Promise.reject(new Error('peer gone')))
  await app.shutdown()
  t.equal(app.lifecycle.state, 'closed')
  t.match(logs.find((l) => l.level === 40 && String(l.msg).includes('closing a long-lived connection failed')), { err: { message: 'peer gone' } })
})

test('exit: false: shutdown() drains with Connection: close, closes, resolves; no process handlers', async (t) => {
  const sigterm = process.listenerCount('SIGTERM')
  const uncaught = process.listenerCount('uncaughtException')
  const { app, logs } = appWithLogs(t)
  await app.register(zerodownShutdown, { exit: false, drainDelay: 200 })
  t.equal(process.listenerCount('SIGTERM'), sigterm, 'no SIGTERM handler')
  t.equal(process.listenerCount('uncaughtException'), uncaught, 'no uncaughtException handler')
  let closedHookRan = false
  app.addHook('onClose', async () => { closedHookRan = true })
  // A faulty observer does not stop the shutdown.
  app.lifecycle.onChange(() => { throw new Error('observer bug') })
  app.get('/', async () => 'ok')
  const origin = await app.listen({ port: 0, host: '127.0.0.1' })

  const before = await fetch(origin)
  t.equal(before.headers.get('connection'), 'keep-alive')
  const done = app.shutdown('test')
  t.equal(app.shutdown(), done, 'a second call returns the same promise')
  t.equal(app.lifecycle.state, 'draining')
  const during = await fetch(origin)
  t.equal(during.status, 200, 'still served while draining')
  t.equal(during.headers.get('connection'), 'close')
  await done
  t.equal(app.lifecycle.state, 'closed')
  t.ok(closedHookRan, 'onClose hooks ran')
  t.notOk(app.server.listening)
  t.ok(logs.some((l) => l.reason === 'test'), 'the reason is logged')
  t.ok(logs.some((l) => String(l.msg).includes('lifecycle listener threw on ready -> draining')), 'the faulty observer is logged')
  t.notOk(logs.some((l) => String(l.msg).includes('exiting')), 'no exit announced')
})

test('exit: false: shutdown() rejects with a coded error at the timeout', async (t) => {
  const { app, logs } = appWithLogs(t)
  await app.register(zerodownShutdown, { exit: false, timeout: 200 })
  let release = (): void => {}
  app.addHook('onClose', () => new Promise<void>((resolve) => { release = resolve }))
  await app.listen({ port: 0, host: '127.0.0.1' })
  const err = await app.shutdown().then(() => undefined, (e: unknown) => e)
  t.type(err, ShutdownTimeoutError)
  t.equal((err as { code: string }).code, 'FST_ZERODOWN_SHUTDOWN_TIMEOUT')
  t.match((err as Error).message, /within timeout \(200 ms\); still pending: phase closing; 0 request\(s\) in flight; 0 open connection\(s\); 0 event stream\(s\); 0 HTTP\/2 session\(s\) with 0 stream\(s\); 0 WebSocket\(s\); 0 other long-lived connection\(s\); preClose\/onClose hooks running for \d+ ms/)
  t.ok(logs.some((l) => l.level === 50 && String(l.msg).includes('timeout of 200 ms reached')))
  release()
})

test('exit: false: a response whose headers went out before the drain ends during closing; its keep-alive connection is closed then, and shutdown() resolves', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  const timeout = 8000
  await app.register(zerodownShutdown, { exit: false, drainDelay: 200, timeout })
  // Its headers (keep-alive: no Connection: close, they predate the drain) go out at once; it ends 600 ms later.
  app.get('/stream', async (_request, reply) => reply.send(Readable.from((async function * () {
    yield 'begun '
    await new Promise((resolve) => setTimeout(resolve, 600))
    yield 'ended'
  })())))
  await app.listen({ port: 0, host: '127.0.0.1' })
  const client = connect((app.server.address() as AddressInfo).port, '127.0.0.1')
  t.teardown(() => client.destroy())
  let received = ''
  client.setEncoding('utf8')
  client.on('data', (chunk: string) => { received += chunk })
  const closed = new Promise((resolve) => client.once('close', resolve))
  client.write('GET /stream HTTP/1.1\r\nHost: a\r\n\r\n')
  while (!received.includes('begun')) await new Promise((resolve) => setTimeout(resolve, 10))
  t.match(received, /connection: keep-alive/i, 'its headers went out before the drain')

  const start = performance.now()
  const shutdown = app.shutdown('test').then(() => 'resolved', (err: Error) => err.message)
  t.equal(await shutdown, 'resolved', 'shutdown() resolves, not FST_ZERODOWN_SHUTDOWN_TIMEOUT')
  await within(closed, 5000, 'the close of the keep-alive connection')
  // Node.js closes the idle keep-alive connections once, when the listener closes; this one went idle
  // later, and only the plugin's own closeIdleConnections() after each response ends during closing
  // closes it as an idle connection: a close, nothing written after the response.
  t.ok(received.endsWith('ended\r\n0\r\n\r\n'), 'the response ended whole, and nothing came after it (no 408 for a request never sent)')
  t.ok(performance.now() - start < timeout - 3000, `well before the deadline (${Math.round(performance.now() - start)} ms)`)
})

test('a direct app.close() moves the lifecycle to closed and removes the process handlers', async (t) => {
  const sigterm = process.listenerCount('SIGTERM')
  const app = Fastify()
  await app.register(zerodownShutdown)
  t.equal(process.listenerCount('SIGTERM'), sigterm + 1, 'SIGTERM handled')
  await app.listen({ port: 0, host: '127.0.0.1' })
  const seen: LifecycleState[] = []
  app.lifecycle.onChange((state) => seen.push(state))
  await app.close()
  t.same(seen, ['closing', 'closed'])
  t.equal(process.listenerCount('SIGTERM'), sigterm, 'SIGTERM handler removed, the process can exit')
})

test('shutdown() before listen skips the drain delay', async (t) => {
  const app = Fastify()
  await app.register(zerodownShutdown, { exit: false, drainDelay: 10_000, timeout: 20_000 })
  await app.ready()
  const start = performance.now()
  await app.shutdown()
  t.equal(app.lifecycle.state, 'closed')
  t.ok(performance.now() - start < 5000, 'nothing listens, so nothing to drain')
})

test('HTTPS: the same drain and close on TLS connections', async (t) => {
  const fixture = (name: string): Buffer => readFileSync(new URL(`./fixtures/${name}`, import.meta.url))
  const app = Fastify({ https: { key: fixture('tls-key.pem'), cert: fixture('tls-cert.pem') } })
  t.teardown(() => app.close())
  await app.register(zerodownShutdown, { exit: false, drainDelay: 100, timeout: 5000 })
  app.get('/slow', async () => {
    await new Promise((resolve) => setTimeout(resolve, 300))
    return 'slow'
  })
  app.get('/', async () => 'ok')
  const origin = await app.listen({ port: 0, host: '127.0.0.1' })
  const agent = (): Agent => {
    const a = new Agent({ connections: 1, connect: { rejectUnauthorized: false } })
    t.teardown(() => a.destroy())
    return a
  }

  // An idle keep-alive connection, and a TLS connection that never sends a request.
  const idle = await request(`${origin}/`, { dispatcher: agent() })
  await idle.body.text()
  t.equal(idle.headers.connection, 'keep-alive')
  const port = Number(new URL(origin).port)
  const fresh = tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false })
  fresh.on('error', () => {})
  t.teardown(() => fresh.destroy())
  const freshClosed = new Promise<void>((resolve) => fresh.once('close', () => resolve()))
  await new Promise<void>((resolve) => fresh.once('secureConnect', () => resolve()))

  const slow = request(`${origin}/slow`, { dispatcher: agent() })
  await new Promise((resolve) => setTimeout(resolve, 50))
  await app.shutdown()
  const res = await slow
  t.equal(res.statusCode, 200, 'the request in flight finished')
  t.equal(res.headers.connection, 'close', 'with Connection: close, though it began before draining')
  t.equal(await res.body.text(), 'slow')
  await freshClosed
  t.equal(app.lifecycle.state, 'closed', 'closed without waiting for the timeout')
})

test('Node.js internal: a socket keeps the response it serves in _httpMessage (the drain reads it)', async (t) => {
  const seen: Array<[string, boolean]> = []
  const app = Fastify()
  t.teardown(() => app.close())
  let followed = false
  const traffic = trackTraffic(app.server, { onFollowRequests: () => { followed = true } })
  t.teardown(() => traffic.detach())
  app.get('/', async (request, reply) => {
    const socket = request.raw.socket as typeof request.raw.socket & { _httpMessage?: unknown }
    seen.push(['while serving', socket._httpMessage === reply.raw])
    reply.raw.once('finish', () => setImmediate(() => seen.push(['after the response', socket._httpMessage == null])))
    return 'ok'
  })
  const origin = await app.listen({ port: 0, host: '127.0.0.1' })
  await (await fetch(origin)).text()
  await new Promise((resolve) => setTimeout(resolve, 50))
  t.same(seen, [['while serving', true], ['after the response', true]], 'set to the response while it is served, cleared once it is done')
  t.notOk(followed, `this Node.js ${process.version} keeps it, as the first request showed; if this fails, the drain follows every request instead (slower): check traffic.ts`)
  t.equal(app.server.listenerCount('request'), 1, 'and nothing is left listening to every request: Fastify\'s own listener only')
})

for (const followRequests of [false, true]) {
  test(`the drain ${followRequests ? 'following every request (the fallback when Node.js does not keep _httpMessage)' : 'reading _httpMessage'}: in-flight answers close their connection, close() waits for them`, async (t) => {
    const server = createServer((req, res) => {
      setTimeout(() => res.end('slow'), Number(new URL(req.url!, 'http://x').searchParams.get('ms') ?? 0))
    })
    const traffic = trackTraffic(server, { followRequests })
    t.teardown(() => { traffic.detach(); server.close() })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`
    const agent = new Agent({ connections: 1 })
    t.teardown(() => agent.destroy())
    await (await request(`${origin}/?ms=0`, { dispatcher: agent })).body.text()
    const slow = request(`${origin}/?ms=300`, { dispatcher: agent })
    await new Promise((resolve) => setTimeout(resolve, 50))
    traffic.drain()
    t.match(traffic.pending(), { requests: [/^GET \/\?ms=300 \(more than \d+ ms\)$/], connections: 1 }, 'the request in flight is known')
    const closed = traffic.close()
    const res = await slow
    t.equal(res.headers.connection, 'close', 'its answer carries Connection: close, though it began before the drain')
    t.equal(await res.body.text(), 'slow')
    await closed
    t.same(traffic.pending(), { requests: [], connections: 0 }, 'closed once it was served')
  })
}
