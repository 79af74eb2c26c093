// HTTP/2 sessions, WebSockets and server-sent events at shutdown: real clients against real servers,
// by SIGTERM to a child process and by app.shutdown() with exit: false.
import type { ServerResponse } from 'node:http'
import { connect, type ClientHttp2Session } from 'node:http2'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { startServerProcess, within, type ServerProcess } from '@zerodown/testkit'
import Fastify from 'fastify'
import websocket from '@fastify/websocket'
import { test, type Test } from 'tap'
import { Agent, request as undiciRequest } from 'undici'
import WebSocket from 'ws'
import { ShutdownTimeoutError, WEBSOCKET_CLOSE_CODE, zerodownShutdown } from '../src/index.js'

const fixture = fileURLToPath(new URL('./fixtures/server.js', import.meta.url))
const tlsFile = (name: string): Buffer => readFileSync(new URL(`./fixtures/${name}`, import.meta.url))
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

async function start (t: Test, env: Record<string, string>): Promise<ServerProcess> {
  const server = await startServerProcess({ args: [fixture], env: { KUBERNETES_SERVICE_HOST: '', ...env } })
  t.teardown(() => { if (server.child.exitCode === null && server.child.signalCode === null) server.signal('SIGKILL') })
  await server.waitForLog('lifecycle starting -> ready')
  return server
}

interface H2Client { session: ClientHttp2Session, goaways: number[] }
function h2Client (t: Test, origin: string): H2Client {
  const session = connect(origin, { rejectUnauthorized: false })
  const goaways: number[] = []
  session.on('goaway', (_code, lastStreamID) => goaways.push(lastStreamID))
  session.on('error', () => {})
  t.teardown(() => session.destroy())
  return { session, goaways }
}
function h2Get (client: H2Client, path: string): Promise<{ status?: number, body: string, error?: string }> {
  return new Promise((resolve) => {
    const stream = client.session.request({ ':path': path })
    let status: number | undefined
    let body = ''
    stream.setEncoding('utf8')
    stream.on('response', (headers) => { status = Number(headers[':status']) })
    stream.on('data', (chunk: string) => { body += chunk })
    stream.on('end', () => resolve({ status, body }))
    stream.on('error', (err: NodeJS.ErrnoException) => resolve({ status, body, error: err.code }))
  })
}

for (const mode of ['h2c', 'tls'] as const) {
  test(`HTTP/2 (${mode}) at SIGTERM: GOAWAY to every session, streams in flight and sessions arriving while draining are served, exit 0`, async (t) => {
    const drainDelay = 400
    const server = await start(t, { HTTP2: mode, ZERODOWN_DRAIN_DELAY_MS: String(drainDelay), ZERODOWN_SHUTDOWN_TIMEOUT_MS: '10000' })
    const origin = mode === 'tls' ? server.origin.replace('http:', 'https:') : server.origin
    const before = h2Client(t, origin)
    t.match(await h2Get(before, '/'), { status: 200 }, 'served before the shutdown')
    const inFlight = [h2Get(before, '/slow?ms=900'), h2Get(before, '/slow?ms=900'), h2Get(before, '/slow?ms=300')]
    await sleep(50)
    const signalledAt = performance.now()
    server.signal('SIGTERM')
    await server.waitForLog('draining for')
    await sleep(100)
    t.ok(before.goaways.length > 0, 'the open session got a GOAWAY when the drain began')
    // A session arriving while draining is served, then told to go.
    const during = h2Client(t, origin)
    const duringStreams = [h2Get(during, '/slow?ms=200'), h2Get(during, '/')]
    const exit = await within(server.exited, 10_000, 'exit of the server process')
    const results = await Promise.all([...inFlight, ...duringStreams])
    t.same(results.map((r) => [r.status, r.error]), results.map(() => [200, undefined]), 'every stream completes with 200')
    t.ok(during.goaways.length > 0, 'the session that arrived while draining got a GOAWAY')
    t.equal(exit.code, 0, 'exit code 0')
    t.ok(exit.at - signalledAt < 900 + 2000, `exits once the streams end (${Math.round(exit.at - signalledAt)} ms)`)
    t.match(server.logs().find((l) => l.phase === 'closing'), { durationMs: Number }, 'closing logged')
    t.match(server.logs().find((l) => l.drainDelay !== undefined && l.http2Sessions !== undefined), { http2Sessions: 1 }, 'the drain log counts the HTTP/2 sessions')
  })
}

test('HTTP/2 over TLS with allowHTTP1, by app.shutdown() with exit: false: h2 streams and HTTP/1.1 requests in flight finish', async (t) => {
  const app = Fastify({ http2: true, https: { allowHTTP1: true, key: tlsFile('tls-key.pem'), cert: tlsFile('tls-cert.pem') } })
  await app.register(zerodownShutdown, { exit: false, drainDelay: 200, timeout: 5000 })
  app.get('/slow', async () => { await sleep(500); return { slow: true } })
  const origin = await app.listen({ port: 0, host: '127.0.0.1' })
  const client = h2Client(t, origin)
  const agent = new Agent({ connect: { rejectUnauthorized: false } })
  t.teardown(() => agent.close())
  const h2 = [h2Get(client, '/slow'), h2Get(client, '/slow')]
  const h1 = undiciRequest(`${origin}/slow`, { dispatcher: agent })
  await sleep(50)
  await app.shutdown()
  t.same((await Promise.all(h2)).map((r) => r.status), [200, 200], 'h2 streams complete')
  const response = await h1
  t.equal(response.statusCode, 200, 'the HTTP/1.1 request completes')
  t.equal(response.headers.connection, 'close', 'HTTP/1.1 keeps Connection: close at drain')
  await response.body.text()
  t.ok(client.goaways.length > 0, 'GOAWAY received')
  t.equal(app.lifecycle.state, 'closed')
})

interface WsClient { closed: Promise<{ code: number, at: number }> }
async function wsClients (t: Test, url: string, n: number): Promise<WsClient[]> {
  return Promise.all(Array.from({ length: n }, async () => {
    const socket = new WebSocket(url)
    t.teardown(() => socket.terminate())
    const closed = new Promise<{ code: number, at: number }>((resolve) => socket.on('close', (code) => resolve({ code, at: performance.now() })))
    await new Promise((resolve, reject) => { socket.once('open', resolve); socket.once('error', reject) })
    return { closed }
  }))
}

test('WebSocket at SIGTERM: every client gets 1012, spread over the drain window, then exit 0 well before the deadline', async (t) => {
  const drainDelay = 1000
  const server = await start(t, { WEBSOCKET: '1', ZERODOWN_DRAIN_DELAY_MS: String(drainDelay), ZERODOWN_SHUTDOWN_TIMEOUT_MS: '10000' })
  const clients = await wsClients(t, `ws://127.0.0.1:${server.port}/ws`, 20)
  const signalledAt = performance.now()
  server.signal('SIGTERM')
  const closes = await Promise.all(clients.map((c) => c.closed))
  const exit = await within(server.exited, 10_000, 'exit of the server process')
  t.same(closes.map((c) => c.code), closes.map(() => WEBSOCKET_CLOSE_CODE), 'every client got 1012 Service Restart (no 1006)')
  const offsets = closes.map((c) => c.at - signalledAt).sort((a, b) => a - b)
  t.ok(offsets[0]! < drainDelay * 0.3, `the first close came early in the window (${Math.round(offsets[0]!)} ms)`)
  t.ok(offsets.at(-1)! > drainDelay * 0.6, `the last close came late in the window (${Math.round(offsets.at(-1)!)} ms)`)
  const firstHalf = offsets.filter((o) => o < drainDelay / 2).length
  t.ok(firstHalf >= 5 && firstHalf <= 15, `spread, not at once: ${firstHalf} of 20 in the first half of the window`)
  t.equal(exit.code, 0, 'exit code 0')
  t.ok(exit.at - signalledAt < drainDelay + 2000, `exit well before the 10 s deadline (${Math.round(exit.at - signalledAt)} ms)`)
})

test('WebSocket by app.shutdown() with exit: false: open sockets and those opened while draining close with 1012', async (t) => {
  const app = Fastify()
  await app.register(zerodownShutdown, { exit: false, drainDelay: 300, timeout: 5000 })
  await app.register(websocket)
  app.get('/ws', { websocket: true }, () => {})
  await app.listen({ port: 0, host: '127.0.0.1' })
  const url = `ws://127.0.0.1:${(app.server.address() as { port: number }).port}/ws`
  const before = await wsClients(t, url, 5)
  const shutdown = app.shutdown()
  await sleep(20)
  const during = await wsClients(t, url, 2)
  await shutdown
  const codes = await Promise.all([...before, ...during].map(async (c) => (await c.closed).code))
  t.same(codes, codes.map(() => 1012), 'all closed with 1012, also those opened while draining')
})

async function readEvents (url: string, dispatcher?: Agent): Promise<{ status: number, body: Promise<{ text: string, error?: string }> }> {
  const response = await undiciRequest(url, { dispatcher })
  let text = ''
  const body = (async () => {
    try {
      for await (const chunk of response.body) text += String(chunk)
      return { text }
    } catch (error) {
      return { text, error: (error as NodeJS.ErrnoException).code ?? String(error) }
    }
  })()
  return { status: response.statusCode, body }
}

/** An event stream read over HTTP/2, as h2Get, resolving with the status as soon as it arrives. */
async function readEventsH2 (client: H2Client, path: string): Promise<{ status: number, body: Promise<{ text: string, error?: string }> }> {
  const stream = client.session.request({ ':path': path })
  stream.setEncoding('utf8')
  let text = ''
  stream.on('data', (chunk: string) => { text += chunk })
  const body = new Promise<{ text: string, error?: string }>((resolve) => {
    stream.on('end', () => resolve({ text }))
    stream.on('error', (err: NodeJS.ErrnoException) => resolve({ text, error: err.code }))
  })
  const status = await new Promise<number>((resolve) => stream.on('response', (headers) => resolve(Number(headers[':status']))))
  return { status, body }
}

for (const mode of ['HTTP/1.1', 'HTTP/2'] as const) {
  test(`server-sent events over ${mode} at SIGTERM: streams written to reply.raw or piped end cleanly with the final event, exit 0 before the deadline`, async (t) => {
    const server = await start(t, {
      ZERODOWN_DRAIN_DELAY_MS: '300',
      ZERODOWN_SHUTDOWN_TIMEOUT_MS: '10000',
      EVENT_STREAM_END: 'retry: 2000\n\n',
      ...(mode === 'HTTP/2' ? { HTTP2: 'h2c' } : {})
    })
    const client = mode === 'HTTP/2' ? h2Client(t, server.origin) : undefined
    const read = (path: string): ReturnType<typeof readEvents> => client === undefined ? readEvents(`${server.origin}${path}`) : readEventsH2(client, path)
    const raw = await read('/events')
    const piped = await read('/events-piped')
    await sleep(200)
    const signalledAt = performance.now()
    server.signal('SIGTERM')
    const exit = await within(server.exited, 10_000, 'exit of the server process')
    for (const [name, stream] of [['reply.raw', raw], ['reply.send(stream)', piped]] as const) {
      const body = await stream.body
      t.equal(stream.status, 200)
      t.equal(body.error, undefined, `${name}: clean end of stream, no reset`)
      t.match(body.text, /^data: 0\n\n/, `${name}: events were received`)
      t.ok(body.text.endsWith('retry: 2000\n\n'), `${name}: the final event ends the stream`)
    }
    t.equal(exit.code, 0, 'exit code 0')
    t.ok(exit.at - signalledAt < 300 + 2000, `exit long before the deadline (${Math.round(exit.at - signalledAt)} ms)`)
    t.match(server.logs().find((l) => l.eventStreams !== undefined), { eventStreams: 2 }, 'closing logs the event streams it ended')
    t.notOk(server.lines.some((l) => l.includes('ERR_STREAM_WRITE_AFTER_END')), 'no write after end reported')
  })
}

test('server-sent events by app.shutdown() with exit: false; shutdownSignals abort at draining and at closing', async (t) => {
  const app = Fastify()
  await app.register(zerodownShutdown, { exit: false, drainDelay: 100, timeout: 5000 })
  const seen: string[] = []
  app.shutdownSignals.draining.addEventListener('abort', () => seen.push(`draining aborted in ${app.lifecycle.state}`))
  app.shutdownSignals.closing.addEventListener('abort', () => seen.push(`closing aborted in ${app.lifecycle.state}`))
  let raw: ServerResponse | undefined
  app.get('/events', (_request, reply) => {
    raw = reply.raw
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream' })
    reply.raw.write('data: hello\n\n')
  })
  const origin = await app.listen({ port: 0, host: '127.0.0.1' })
  const stream = await readEvents(`${origin}/events`)
  await sleep(50)
  await app.shutdown()
  t.same(await stream.body, { text: 'data: hello\n\n' }, 'clean end, no final event by default')
  t.same(seen, ['draining aborted in draining', 'closing aborted in closing'])

  // The handler writes on after its stream was ended: dropped, each callback told why, no 'error'.
  const late = (write: (done: (err?: Error | null) => void) => boolean): Promise<{ accepted: boolean, err: Error | null | undefined }> =>
    new Promise((resolve) => { const accepted = write((err) => resolve({ accepted, err })) })
  t.match(await late((done) => raw!.write('data: late\n\n', done)), { accepted: false, err: { code: 'ERR_STREAM_WRITE_AFTER_END' } })
  t.match(await late((done) => raw!.write('data: late\n\n', 'utf8', done)), { accepted: false, err: { code: 'ERR_STREAM_WRITE_AFTER_END', message: /ended this event stream at closing/ } })
  t.equal(raw!.write('data: late\n\n'), false, 'without a callback, dropped just the same')
})

test('addLongLivedConnection: asked to go during the drain, awaited at closing, counted in the pending report', async (t) => {
  const app = Fastify()
  await app.register(zerodownShutdown, { exit: false, drainDelay: 200, timeout: 600 })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const asked: string[] = []
  const done = app.addLongLivedConnection(() => { asked.push(app.lifecycle.state) })
  app.addLongLivedConnection(async () => { asked.push('slow'); await sleep(100) })
  app.addLongLivedConnection(() => new Promise(() => { asked.push('hung') }))
  const gone = app.addLongLivedConnection(() => { asked.push('ended by itself') })
  gone()
  const err = await app.shutdown().catch((error: unknown) => error)
  t.type(err, ShutdownTimeoutError, 'a connection that never closes holds the shutdown until the deadline')
  t.match((err as Error).message, /1 other long-lived connection\(s\)/, 'the pending report counts it')
  t.match((err as Error).message, /0 WebSocket\(s\)/)
  t.same(asked.sort(), ['draining', 'hung', 'slow'], 'each open connection asked once, during the drain')
  done()
  await app.close()
})

test('a direct app.close() while draining stops asking the long-lived connections', async (t) => {
  const app = Fastify()
  await app.register(zerodownShutdown, { exit: false, drainDelay: 400, timeout: 5000 })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const asked: number[] = []
  app.addLongLivedConnection(() => { asked.push(1) })
  app.addLongLivedConnection(() => { asked.push(2) })
  const shutdown = app.shutdown()
  await sleep(50)
  await app.close()
  await shutdown
  await sleep(300)
  t.same(asked, [1], 'the first was asked at once; the second, due half-way through the window, never')
})
