import type { IncomingMessage } from 'node:http'
import { connect, type IncomingHttpHeaders } from 'node:http2'
import fastifyWebsocket from '@fastify/websocket'
import WebSocket from 'ws'
import { Writable } from 'node:stream'
import Fastify, { type FastifyInstance } from 'fastify'
import { test, type Test } from 'tap'
import zerodownVersion, { zerodownVersion as named, type VersionOptions } from '../src/index.js'

async function build (t: Test, opts: VersionOptions = {}): Promise<FastifyInstance> {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(zerodownVersion, { env: {}, ...opts })
  return app
}

test('default and named exports are the same plugin', async (t) => {
  t.equal(named, zerodownVersion)
})

test('GET /version answers every fact and nothing else', async (t) => {
  const app = await build(t, { version: '1.2.3', commit: 'abc123', buildTime: '2026-01-02T03:04:05.000Z', name: 'shop', instance: 'shop-7d9-x2' })
  const res = await app.inject('/version')
  t.equal(res.statusCode, 200)
  const body = res.json()
  t.same(Object.keys(body).sort(), ['buildTime', 'commit', 'fastify', 'instance', 'name', 'node', 'startedAt', 'version'])
  t.match(body, {
    name: 'shop',
    version: '1.2.3',
    commit: 'abc123',
    buildTime: '2026-01-02T03:04:05.000Z',
    node: process.version,
    fastify: app.version,
    instance: 'shop-7d9-x2'
  })
  t.ok(Math.abs(Date.parse(body.startedAt) - Date.now()) < 60_000, 'startedAt is the registration time')
})

/** Requests `path` from a listening app over a real socket: the header is the HTTP server's, not app.inject()'s. */
async function get (app: FastifyInstance, path: string, method = 'GET'): Promise<Response> {
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('the app is not listening on a TCP port')
  return await fetch(`http://127.0.0.1:${address.port}${path}`, { method })
}

/**
 * An app with every kind of reply: routes at the root and in a child context (one registered before
 * the plugin), a route's error, a validation error and a hook's error before any handler runs, a
 * hook's own reply, the root's and a child's not-found handler, and a handler that sets the header.
 */
async function everyKindOfReply (t: Test, opts: VersionOptions): Promise<FastifyInstance> {
  const app = Fastify()
  t.teardown(() => app.close())
  app.get('/before', async () => 'registered before the plugin')
  await app.register(zerodownVersion, { version: 'v2.0.0', env: {}, ...opts })
  app.get('/ok', async () => 'ok')
  app.get('/boom', async () => { throw new Error('boom') })
  app.get('/own', async (_request, reply) => reply.header('x-app-version', 'canary').send('own'))
  app.get('/not-here', async (_request, reply) => { reply.callNotFound() })
  app.get('/count', { schema: { querystring: { type: 'object', properties: { n: { type: 'integer' } } } } }, async () => 'counted')
  await app.register(async (child) => {
    child.addHook('onRequest', async (request, reply) => {
      if (request.url === '/child/denied') throw Object.assign(new Error('denied'), { statusCode: 403 })
      if (request.url === '/child/teapot') return await reply.code(418).send('hook reply')
    })
    child.get('/child/ok', async () => 'child')
    child.get('/child/denied', async () => 'never')
    child.get('/child/teapot', async () => 'never')
    child.setNotFoundHandler(async (_request, reply) => reply.code(404).send('child 404'))
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  return app
}

/** Each request's status and version header (null when absent). */
async function versionHeaders (app: FastifyInstance): Promise<Record<string, [number, string | null]>> {
  const urls = ['/ok', 'HEAD /ok', '/boom', '/own', '/not-here', '/count?n=x', '/child/ok', '/child/denied', '/version',
    '/before', '/missing', '/child/missing', '/child/teapot']
  const seen: Record<string, [number, string | null]> = {}
  for (const request of urls) {
    const [method, url] = request.startsWith('HEAD ') ? ['HEAD', request.slice(5)] : ['GET', request]
    const res = await get(app, url, method)
    seen[request] = [res.status, res.headers.get('x-app-version')]
  }
  return seen
}

// What each kind of reply carries with the default headerOn "all".
const EVERY_REPLY: Record<string, [number, string | null]> = {
  '/ok': [200, 'v2.0.0'],
  'HEAD /ok': [200, 'v2.0.0'],
  '/boom': [500, 'v2.0.0'],
  '/own': [200, 'canary'],
  '/not-here': [404, 'v2.0.0'],
  '/count?n=x': [400, 'v2.0.0'],
  '/child/ok': [200, 'v2.0.0'],
  '/child/denied': [403, 'v2.0.0'],
  '/version': [200, 'v2.0.0'],
  '/before': [200, 'v2.0.0'],
  '/missing': [404, 'v2.0.0'],
  '/child/missing': [404, 'v2.0.0'],
  '/child/teapot': [418, 'v2.0.0']
}

test('by default the header is on every reply: routes before and after it, 404s, errors, hook replies; a handler may set its own', async (t) => {
  const app = await everyKindOfReply(t, {})
  const seen = await versionHeaders(app)
  t.same(seen['/own'], [200, 'canary'], 'a handler that sets the header itself keeps its value')
  t.same(seen, EVERY_REPLY)
})

test('headerOn "routes" (opt-in) leaves out what no route handler sends, as documented', async (t) => {
  const app = await everyKindOfReply(t, { headerOn: 'routes' })
  t.same(await versionHeaders(app), {
    ...EVERY_REPLY,
    // Left out: a route registered before the plugin, the not-found handlers, a reply a hook sends without an error.
    '/before': [200, null],
    '/missing': [404, null],
    '/child/missing': [404, null],
    '/child/teapot': [418, null]
  })
})

test('an error thrown by a hook that runs before the plugin\'s own still carries the header', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  app.addHook('onRequest', async (request) => {
    if (request.url === '/early') throw Object.assign(new Error('no'), { statusCode: 401 })
  })
  await app.register(zerodownVersion, { version: 'v2.0.0', env: {} })
  app.get('/early', async () => 'never')
  await app.listen({ port: 0, host: '127.0.0.1' })
  const res = await get(app, '/early')
  t.equal(res.status, 401)
  t.equal(res.headers.get('x-app-version'), 'v2.0.0')
})

/** A WebSocket client over loopback: the handshake's headers, and one message echoed back. */
async function webSocketRoundTrip (url: string): Promise<{ header: string | string[] | undefined, echoed: string }> {
  const socket = new WebSocket(url)
  try {
    const upgrade = new Promise<IncomingMessage>((resolve) => socket.once('upgrade', resolve))
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject))
    const message = new Promise<string>((resolve, reject) => {
      socket.once('message', (data: Buffer) => resolve(data.toString()))
      socket.once('close', (code: number) => reject(new Error(`the WebSocket closed with ${code} before any message came back`)))
    })
    socket.send('ping')
    return { header: (await upgrade).headers['x-app-version'], echoed: await message }
  } finally {
    socket.terminate()
  }
}

for (const order of ['before', 'after'] as const) {
  for (const headerOn of ['all', 'routes'] as const) {
    test(`@fastify/websocket registered ${order} the plugin (headerOn "${headerOn}"): messages go both ways, the handshake carries the header`, async (t) => {
      const app = Fastify()
      t.teardown(() => app.close())
      const version = async (): Promise<void> => { await app.register(zerodownVersion, { version: 'v3.0.0', env: {}, headerOn }) }
      if (order === 'after') await version()
      await app.register(fastifyWebsocket)
      if (order === 'before') await version()
      app.get('/ws', { websocket: true }, (socket) => { socket.on('message', (data: Buffer) => socket.send(`echo ${data.toString()}`)) })
      // In an encapsulated context too, where the root does not see the WebSocket server.
      await app.register(async (child) => {
        child.get('/child/ws', { websocket: true }, (socket) => { socket.on('message', (data: Buffer) => socket.send(`child ${data.toString()}`)) })
      }, { prefix: '' })
      app.get('/http', async () => 'plain')
      const origin = await app.listen({ port: 0, host: '127.0.0.1' })
      const ws = origin.replace('http:', 'ws:')

      t.same(await webSocketRoundTrip(`${ws}/ws`), { header: 'v3.0.0', echoed: 'echo ping' })
      t.same(await webSocketRoundTrip(`${ws}/child/ws`), { header: 'v3.0.0', echoed: 'child ping' })
      const plain = await fetch(`${origin}/ws`)
      t.equal(plain.status, 404, 'a plain GET of a WebSocket route: @fastify/websocket answers 404')
      // "routes" leaves a WebSocket route's handler alone, so its plain-HTTP 404 goes without.
      t.equal(plain.headers.get('x-app-version'), headerOn === 'all' ? 'v3.0.0' : null, 'with the header by default')
      t.equal((await fetch(`${origin}/http`)).headers.get('x-app-version'), 'v3.0.0', 'other routes keep it')
    })
  }
}

test('header: false sets no header, whatever headerOn says, and /version still answers', async (t) => {
  for (const headerOn of ['routes', 'all'] as const) {
    const seen = await versionHeaders(await everyKindOfReply(t, { header: false, headerOn }))
    t.same(Object.values(seen).filter(([, header]) => header !== null && header !== 'canary'), [], headerOn)
    t.same(seen['/version'], [200, null])
  }
})

test('app.inject() replies carry the header too', async (t) => {
  for (const headerOn of ['routes', 'all'] as const) {
    const app = await build(t, { version: 'v2.0.0', headerOn })
    t.equal((await app.inject('/version')).headers['x-app-version'], 'v2.0.0', headerOn)
  }
})

test('versionInfo is a frozen decorator equal to what the route answers', async (t) => {
  const app = await build(t, { version: '4.0.0' })
  t.ok(Object.isFrozen(app.versionInfo))
  t.throws(() => { (app.versionInfo as { version: string }).version = 'hacked' })
  t.same((await app.inject('/version')).json(), app.versionInfo)
})

test('nothing else from the environment is exposed', async (t) => {
  const env = { ZERODOWN_APP_VERSION: '5.0.0', DATABASE_PASSWORD: 'hunter2', SECRET_TOKEN: 's3cr3t', HOSTNAME: 'pod-a' }
  const app = await build(t, { env })
  const res = await app.inject('/version')
  t.notMatch(res.body, /hunter2|s3cr3t|DATABASE|SECRET/)
  t.equal(res.json().instance, 'pod-a')
})

test('reads process.env when no env option is given, and logs the facts once at start', async (t) => {
  const saved = process.env.ZERODOWN_APP_VERSION
  process.env.ZERODOWN_APP_VERSION = '6.6.6'
  t.teardown(() => { if (saved === undefined) delete process.env.ZERODOWN_APP_VERSION; else process.env.ZERODOWN_APP_VERSION = saved })
  const logs: Array<Record<string, unknown>> = []
  const stream = new Writable({ write (chunk: Buffer, _encoding, callback) { logs.push(JSON.parse(chunk.toString())); callback() } })
  const app = Fastify({ logger: { level: 'info', stream } })
  t.teardown(() => app.close())
  await app.register(zerodownVersion, { commit: 'abc123', cwd: t.testdir({ 'package.json': '{"name":"shop","version":"1.0.0"}' }) })
  await app.ready()
  t.equal(app.versionInfo.version, '6.6.6')
  const starts = logs.filter((l) => l.settings !== undefined)
  t.equal(starts.length, 1, 'one start line')
  t.match(starts[0], {
    level: 30,
    zerodown: 'version',
    settings: {
      name: { value: 'shop', source: 'package.json' },
      version: { value: '6.6.6', source: 'environment variable ZERODOWN_APP_VERSION' },
      commit: { value: 'abc123', source: 'option "commit"' },
      buildTime: { value: 'unknown', source: 'default' }
    },
    msg: /^version: name shop \(package\.json\), version 6\.6\.6 \(environment variable ZERODOWN_APP_VERSION\), commit abc123 \(option "commit"\), buildTime unknown \(default\), instance \S+ \(/
  })
})

test('HTTP/2 responses carry the header too', async (t) => {
  const app = Fastify({ http2: true })
  t.teardown(() => app.close())
  await app.register(zerodownVersion, { version: 'v7.0.0', env: {} })
  app.get('/ok', async () => 'ok')
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  const session = connect(url)
  t.teardown(() => session.close())
  const headers = await new Promise<IncomingHttpHeaders>((resolve, reject) => {
    const stream = session.request({ ':path': '/ok' })
    stream.on('response', resolve).on('error', reject)
    stream.resume()
  })
  t.equal(headers[':status'], 200)
  t.equal(headers['x-app-version'], 'v7.0.0')
})
