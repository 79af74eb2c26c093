import { mkdtempSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Fastify, { type FastifyInstance } from 'fastify'
import { test, type Test } from 'tap'
import { LIFECYCLE_DECORATOR } from '@zerodown/shutdown/lifecycle'
import { Agent } from 'undici'
import { send } from '@zerodown/testkit'
import zerodownProbes, { ProbesListenError, ProbesPortConflictError, ProbesPortInUseError, type ProbesOptions } from '../src/index.js'
import { TestLifecycle } from './fixtures/lifecycle.js'

const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

interface Started {
  app: FastifyInstance
  origin: string
  probes: string
  lifecycle: TestLifecycle
  agent: Agent
  /** Makes an onClose hook (a database pool, say) wait until the returned function is called. */
  holdClose (): () => void
}

/** An onClose hook registered before listening, held open on demand. */
function closeGate (app: FastifyInstance): () => () => void {
  let gate: Promise<void> | undefined
  app.addHook('onClose', async () => { await gate })
  return () => {
    let release!: () => void
    gate = new Promise<void>((resolve) => { release = resolve })
    return release
  }
}

async function start (t: Test, opts: ProbesOptions = {}): Promise<Started> {
  const lifecycle = new TestLifecycle('starting')
  const app = Fastify()
  app.decorate(LIFECYCLE_DECORATOR, { getter: () => lifecycle })
  await app.register(zerodownProbes, { port: 0, ...opts })
  app.get('/', async () => ({ hello: 'world' }))
  const holdClose = closeGate(app)
  // Runs after the probes' own onListen hook: the probe listener is bound by then.
  const bound = new Promise<void>((resolve) => app.addHook('onListen', async () => resolve()))
  const origin = await app.listen({ port: 0, host: '127.0.0.1' })
  await bound
  const agent = new Agent({ connections: 2 })
  t.teardown(async () => { await agent.close(); await app.close() })
  t.ok(app.probes.port, 'the probe port is known')
  return { app, origin, probes: `http://127.0.0.1:${app.probes.port!}`, lifecycle, agent, holdClose }
}

async function statuses ({ agent, probes }: Started): Promise<number[]> {
  const records = await Promise.all(['/livez', '/readyz', '/startupz'].map((path) => send(agent, probes, path, 5000)))
  return records.map((r) => r.status ?? -1)
}

test('probes answer on their own port and not on the main port', async (t) => {
  const s = await start(t)
  t.not(s.app.probes.port, s.app.server.address() !== null && (s.app.server.address() as { port: number }).port)
  t.same(await statuses(s), [200, 503, 503], 'starting')
  s.lifecycle.set('ready')
  t.same(await statuses(s), [200, 200, 200], 'ready')
  for (const path of ['/livez', '/readyz', '/startupz']) {
    t.equal((await send(s.agent, s.origin, path, 5000)).status, 404, `${path} is not on the main port`)
  }
  t.equal((await send(s.agent, s.probes, '/', 5000)).status, 404, 'user routes are not on the probe port')
  t.equal((await send(s.agent, s.origin, '/', 5000)).status, 200)

  const res = await fetch(`${s.probes}/readyz?verbose`)
  t.equal(res.headers.get('content-type'), 'application/json; charset=utf-8')
  t.equal(res.headers.get('cache-control'), 'no-store')
  t.same(await res.json(), { status: 'ok', state: 'ready', underPressure: false, checks: [] })
  const head = await fetch(`${s.probes}/livez`, { method: 'HEAD' })
  t.equal(head.status, 200)
  t.equal(await head.text(), '', 'HEAD has no body')
  const post = await fetch(`${s.probes}/livez`, { method: 'POST' })
  t.equal(post.status, 405)
})

test('through draining and closing the probe port still answers; it closes at the end', async (t) => {
  const s = await start(t)
  s.lifecycle.set('ready')
  s.lifecycle.set('draining')
  t.same(await statuses(s), [200, 503, 200], 'draining: readiness 503 at once, liveness 200')
  s.lifecycle.set('closing')

  // A slow onClose hook keeps shutdown going after the main listener closed.
  const releaseHook = s.holdClose()
  const closed = s.app.close()
  await tick(50)
  const main = await send(new Agent(), s.origin, '/', 2000)
  t.ok(main.error !== undefined, `the main listener is closed (${main.error})`)
  t.same(await statuses(s), [200, 503, 200], 'the probe port still answers while onClose hooks run')
  releaseHook()
  await closed
  const after = await send(new Agent(), s.probes, '/livez', 2000)
  t.equal(after.error, 'ECONNREFUSED', 'the probe port closed at the end of shutdown')
})

test('without a lifecycle the probe port says not ready once close begins, liveness still 200', async (t) => {
  const app = Fastify()
  await app.register(zerodownProbes, { port: 0 })
  const holdClose = closeGate(app)
  const bound = new Promise<void>((resolve) => app.addHook('onListen', async () => resolve()))
  await app.listen({ port: 0, host: '127.0.0.1' })
  await bound
  const probes = `http://127.0.0.1:${app.probes.port!}`
  const agent = new Agent()
  t.teardown(() => agent.close())
  t.equal((await send(agent, probes, '/readyz', 2000)).status, 200)
  const release = holdClose()
  const closed = app.close()
  await tick(50)
  t.equal((await send(agent, probes, '/readyz', 2000)).status, 503)
  t.equal((await send(agent, probes, '/livez', 2000)).status, 200)
  release()
  await closed
})

test('?verbose on the probe port answers details by default; verboseQuery: false turns it off there', async (t) => {
  const s = await start(t)
  s.lifecycle.set('ready')
  t.same(await (await fetch(`${s.probes}/livez?verbose`)).json(), { status: 'ok', state: 'ready' })
  t.same(await (await fetch(`${s.probes}/livez`)).json(), { status: 'ok' })
  const off = await start(t, { verboseQuery: false })
  off.lifecycle.set('ready')
  t.same(await (await fetch(`${off.probes}/livez?verbose`)).json(), { status: 'ok' })
})

test('custom paths and verbose on the probe port', async (t) => {
  const s = await start(t, { paths: { readiness: '/ready', liveness: '/live', startup: false }, verbose: true })
  s.lifecycle.set('draining')
  t.same(await (await fetch(`${s.probes}/ready`)).json(), { status: 'fail', state: 'draining', underPressure: false })
  t.equal((await fetch(`${s.probes}/live`)).status, 200)
  t.equal((await fetch(`${s.probes}/startupz`)).status, 404)
})

async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

test('a probe port equal to the main port: listen() rejects with a coded error the caller can catch', async (t) => {
  const port = await freePort()
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(zerodownProbes, { port })
  let onListenRan = false
  app.addHook('onListen', async () => { onListenRan = true })
  const err = await app.listen({ port, host: '127.0.0.1' }).then(() => undefined, (e: unknown) => e)
  t.type(err, ProbesPortConflictError)
  t.equal((err as { code: string }).code, 'FST_ZERODOWN_PROBES_PORT_CONFLICT')
  t.match((err as Error).message, new RegExp(`port: ${port} \\(option "port"\\) is the main server's port`))
  t.notOk(app.server.listening, 'the main server does not stay up')
  t.notOk(onListenRan, 'the app never counted as listening')
  t.equal(app.probes.port, undefined, 'no probe listener was started')
  t.equal(app.probes.state, 'starting')

  // The caller can fix the port and listen again.
  const again = Fastify()
  t.teardown(() => again.close())
  await again.register(zerodownProbes, { port })
  // Runs after the probes' own onListen hook: the probe listener is bound by then.
  const bound = new Promise<void>((resolve) => again.addHook('onListen', async () => resolve()))
  await again.listen({ port: 0, host: '127.0.0.1' })
  await bound
  t.equal(again.probes.port, port, 'with another main port the probe port is free to use')
})

test('a probe port equal to the main port: the listen() callback gets the error, once', async (t) => {
  const port = await freePort()
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(zerodownProbes, { port })
  const calls: unknown[] = []
  app.listen({ port, host: '127.0.0.1' }, (err) => { calls.push(err) })
  await new Promise((resolve) => setTimeout(resolve, 200))
  t.equal(calls.length, 1, 'called once')
  t.type(calls[0], ProbesPortConflictError)
})

/** A real listener of another "process" holding a port on 127.0.0.1. */
async function occupied (t: Test): Promise<number> {
  const holder = createServer()
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise((resolve) => holder.close(resolve)))
  return (holder.address() as { port: number }).port
}

test('a probe port already in use: listen() rejects with a coded error naming the port, and nothing stays bound', async (t) => {
  const port = await occupied(t)
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(zerodownProbes, { env: { ZERODOWN_PROBE_PORT: String(port) } })
  let onListenRan = false
  app.addHook('onListen', async () => { onListenRan = true })
  const err = await app.listen({ port: 0, host: '127.0.0.1' }).then(() => undefined, (e: unknown) => e)
  t.type(err, ProbesPortInUseError)
  t.equal((err as { code: string }).code, 'FST_ZERODOWN_PROBES_PORT_IN_USE')
  t.match((err as Error).message, `Cannot serve @zerodown/probes on port ${port} (environment variable ZERODOWN_PROBE_PORT): it is already in use on host 127.0.0.1`)
  t.match((err as Error & { cause?: { code?: string } }).cause, { code: 'EADDRINUSE' }, 'the cause is the listener\'s own error')
  t.notOk(app.server.listening, 'the main server did not bind: no app runs without its probes')
  t.notOk(onListenRan, 'the app never counted as listening')
  t.equal(app.probes.port, undefined)
})

test('a probe port that cannot be bound for another reason: a coded error with the reason', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  // TEST-NET-1 (RFC 5737): an address no interface of this machine has.
  await app.register(zerodownProbes, { port: 0, host: '192.0.2.1' })
  const err = await app.listen({ port: 0, host: '127.0.0.1' }).then(() => undefined, (e: unknown) => e)
  t.type(err, ProbesListenError)
  t.equal((err as { code: string }).code, 'FST_ZERODOWN_PROBES_LISTEN')
  t.match((err as Error).message, /^Cannot serve @zerodown\/probes on 192\.0\.2\.1 port 0 \(option "port"\): listen EADDRNOTAVAIL/)
  t.notOk(app.server.listening)
})

test('the main port already in use: listen() rejects with Node.js\' error, the probe listener is closed again, and a retry binds both', async (t) => {
  const taken = await occupied(t)
  const probePort = await freePort()
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(zerodownProbes, { port: probePort })
  const err = await app.listen({ port: taken, host: '127.0.0.1' }).then(() => undefined, (e: unknown) => e)
  t.match(err, { code: 'EADDRINUSE' })
  await tick(100)
  t.equal(app.probes.port, undefined, 'the probe listener did not stay up without the app')
  const origin = await app.listen({ port: 0, host: '127.0.0.1' })
  t.ok(origin, 'the retry listens')
  t.equal(app.probes.port, probePort, 'with its probes')
  t.equal((await fetch(`http://127.0.0.1:${probePort}/livez`)).status, 200)
})

test('a main server listening on a pipe, or started by hand, still gets its probes first, on all interfaces', async (t) => {
  const pipe = Fastify()
  t.teardown(() => pipe.close())
  await pipe.register(zerodownProbes, { port: 0 })
  await pipe.listen({ path: join(mkdtempSync(join(tmpdir(), 'probes-')), 'app.sock') })
  t.equal((await fetch(`http://127.0.0.1:${pipe.probes.port!}/livez`)).status, 200, 'listen({ path }): no host to follow')

  const byHand = Fastify()
  t.teardown(() => byHand.close())
  await byHand.register(zerodownProbes, { port: 0 })
  await byHand.ready()
  await new Promise<void>((resolve) => byHand.server.listen(0, '127.0.0.1', resolve))
  t.equal((await fetch(`http://127.0.0.1:${byHand.probes.port!}/livez`)).status, 200, 'server.listen(port, host)')
})

test('odd request targets on the probe port get an answer, never a crash', async (t) => {
  const s = await start(t)
  s.lifecycle.set('ready')
  const { request } = await import('node:http')
  const ask = (path: string): Promise<number> => new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port: s.app.probes.port, path }, (res) => { res.resume(); resolve(res.statusCode!) })
      .on('error', reject).end()
  })
  t.equal(await ask('http://[::1/readyz'), 404, 'an absolute-form target that is not a valid URL')
  t.equal(await ask('//other-host/readyz'), 404)
  t.equal(await ask('/readyz?verbose=%E0%A4%A'), 200, 'a malformed query')
  t.equal(await ask('/livez'), 200, 'the listener is still up')
})
