// The combinations that do not work as registered by default, each with the recipe that makes it
// work, proved here (the matrix asserts the gaps themselves: src/gaps.ts).
import fastifyCors from '@fastify/cors'
import fastifyRateLimit from '@fastify/rate-limit'
import { within } from '@zerodown/testkit'
import type { FastifyInstance } from 'fastify'
import { test, type Test } from 'tap'
import { request } from 'undici'
import { buildApp, VERSION, type AppOptions } from '../src/app.js'
import type { Entry } from '../src/entry.js'
import { echoOverNetwork, websocket } from '../src/entries/websocket.js'
import { connectClient, serverOptions, type Client } from '../src/transports.js'

async function start (t: Test, opts: Omit<AppOptions, 'shutdown'>): Promise<{ app: FastifyInstance, client: Client }> {
  const { app } = await buildApp({ ...opts, shutdown: { exit: false, drainDelay: 0 } })
  t.teardown(() => app.close())
  const client = await connectClient(app, 'http1')
  t.teardown(() => client.close())
  return { app, client }
}

const only = (name: string, register: Entry['register']): Entry => ({ name, register, check: async () => {} })

test('@fastify/cors before @zerodown/version: with hook "preHandler" its preflight carries x-app-version', async (t) => {
  const corsLate = only('cors, preHandler', async (scope) => {
    await scope.register(fastifyCors, { origin: 'https://client.example', hook: 'preHandler' })
  })
  for (const place of ['root', 'prefix'] as const) {
    const { client } = await start(t, { entry: corsLate, order: 'before', place })
    const preflight = await client.request({
      method: 'OPTIONS',
      path: `${place === 'root' ? '' : '/scope'}/hello`,
      headers: { origin: 'https://client.example', 'access-control-request-method': 'GET' }
    })
    t.equal(preflight.status, 204, `${place}: the preflight`)
    t.equal(preflight.headers['access-control-allow-origin'], 'https://client.example')
    t.equal(preflight.headers['x-app-version'], VERSION, `${place}: with x-app-version`)
  }
})

/** @fastify/rate-limit as by default: keyed by the client's address (the kubelet's, for probes). */
const limitByAddress = only('rate-limit by address', async (scope) => {
  await scope.register(fastifyRateLimit, { max: 3, timeWindow: 60_000 })
})

test('@fastify/rate-limit before the probes, on the main port: the kubelet\'s probes share its budget and get 429', async (t) => {
  const { client } = await start(t, { entry: limitByAddress, order: 'before', place: 'root' })
  const statuses = []
  for (let i = 0; i < 5; i++) statuses.push((await client.request({ path: '/readyz' })).status)
  t.same(statuses, [200, 200, 200, 429, 429], 'readiness fails once the address used its budget: the pod would leave the Service')
})

test('recipes: @fastify/rate-limit after the probes, or the probes on a port of their own: /readyz stays 200', async (t) => {
  const after = await start(t, { entry: limitByAddress, order: 'after', place: 'root' })
  for (let i = 0; i < 4; i++) await after.client.request({ path: '/hello' })
  t.equal((await after.client.request({ path: '/hello' })).status, 429, 'registered after: user routes are limited')
  const ready = []
  for (let i = 0; i < 5; i++) ready.push((await after.client.request({ path: '/readyz' })).status)
  t.same(ready, [200, 200, 200, 200, 200], 'registered after the probes: their routes are not limited')

  const ownPort = await start(t, { entry: limitByAddress, order: 'before', place: 'root', probes: { port: 0 } })
  for (let i = 0; i < 4; i++) await ownPort.client.request({ path: '/hello' })
  t.equal((await ownPort.client.request({ path: '/hello' })).status, 429, 'before, on the main port: the budget is spent')
  const res = await request(`http://127.0.0.1:${String(ownPort.app.probes.port)}/readyz`)
  await res.body.dump()
  t.equal(res.statusCode, 200, 'the probe port is not behind the app\'s hooks')
})

test('WebSocket on an HTTP/2 server needs allowHTTP1: without it Node.js refuses the HTTP/1.1 upgrade with 403', async (t) => {
  const strict = serverOptions('http2', { allowHTTP1: false }) as { https: object }
  // Node.js holds a connection that spoke another protocol for unknownProtocolTimeout (10 s), on an
  // unref()ed timer, before it closes it, and app.close() waits for it: shortened here, and waited
  // for with a timer that holds the event loop.
  const server = { ...strict, https: { ...strict.https, unknownProtocolTimeout: 100 } } as AppOptions['server']
  const shutdown = { exit: false, drainDelay: 0 }
  const { app } = await buildApp({ entry: websocket, order: 'after', place: 'root', server, shutdown })
  t.teardown(() => within(app.close(), 5000, 'app.close()'))
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  await t.rejects(echoOverNetwork(`wss://127.0.0.1:${port}/echo`), /handshake answered 403/)
})
