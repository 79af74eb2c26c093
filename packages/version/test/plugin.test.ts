import { connect, type IncomingHttpHeaders } from 'node:http2'
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

test('by default the header is on every reply of a route and on every error, without a hook per request', async (t) => {
  const app = await everyKindOfReply(t, {})
  t.same(await versionHeaders(app), {
    '/ok': [200, 'v2.0.0'],
    'HEAD /ok': [200, 'v2.0.0'],
    '/boom': [500, 'v2.0.0'],
    '/own': [200, 'canary'],
    '/not-here': [404, 'v2.0.0'],
    '/count?n=x': [400, 'v2.0.0'],
    '/child/ok': [200, 'v2.0.0'],
    '/child/denied': [403, 'v2.0.0'],
    '/version': [200, 'v2.0.0'],
    // What only an onSend hook reaches ("all"): a route registered before the plugin, the not-found
    // handlers, a reply a hook sends without an error.
    '/before': [200, null],
    '/missing': [404, null],
    '/child/missing': [404, null],
    '/child/teapot': [418, null]
  })
})

test('headerOn "all" puts it on every reply, and the plugin\'s value wins over a handler\'s', async (t) => {
  const app = await everyKindOfReply(t, { headerOn: 'all' })
  const seen = await versionHeaders(app)
  t.same(seen['/own'], [200, 'v2.0.0'], 'set last, in onSend: one version per instance')
  for (const [request, [status, header]] of Object.entries(seen)) {
    if (request !== '/own') t.equal(header, 'v2.0.0', `${request} (${status}) carries the header`)
  }
  t.equal(Object.keys(seen).length, 13)
})

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
