// HTTP/2 sessions at the edges of the shutdown: the pending report at the deadline, sessions that
// arrive after closing began, a drain asked twice, and a Node.js that hides a session's streams.
import { EventEmitter } from 'node:events'
import { connect, createServer, type ClientHttp2Session, type ServerHttp2Session } from 'node:http2'
import type { AddressInfo } from 'node:net'
import { within } from '@zerodown/testkit'
import Fastify from 'fastify'
import { test, type Test } from 'tap'
import { trackHttp2Sessions } from '../src/http2.js'
import { ShutdownTimeoutError, zerodownShutdown } from '../src/index.js'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

function client (t: Test, origin: string): { session: ClientHttp2Session, closed: Promise<void> } {
  const session = connect(origin)
  session.on('error', () => {})
  t.teardown(() => session.destroy())
  return { session, closed: new Promise((resolve) => session.once('close', () => resolve())) }
}

test('the deadline with an HTTP/2 stream still open: the report counts its session and stream', async (t) => {
  const app = Fastify({ http2: true })
  await app.register(zerodownShutdown, { exit: false, drainDelay: 0, timeout: 300 })
  let release: () => void = () => {}
  app.get('/hang', () => new Promise((resolve) => { release = () => resolve({ late: true }) }))
  const origin = await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => release())
  const { session } = client(t, origin)
  const stream = session.request({ ':path': '/hang' })
  stream.on('error', () => {})
  const responded = new Promise((resolve) => stream.once('response', resolve))
  await sleep(100)
  const err = await app.shutdown().then(() => undefined, (e: unknown) => e)
  t.type(err, ShutdownTimeoutError, 'app.shutdown() rejects at the deadline')
  t.match((err as Error).message, /1 HTTP\/2 session\(s\) with 1 stream\(s\)/, 'the session and its stream are named')
  release()
  await within(responded, 5000, 'the hung stream answered once released')
})

test('a session that arrives once closing began is closed; a second drain changes nothing', async (t) => {
  const server = createServer()
  server.on('stream', (stream) => { stream.respond({ ':status': 200 }); stream.end('ok') })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => server.close())
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const sessions = trackHttp2Sessions(server)
  t.teardown(() => sessions.detach())

  const early = client(t, origin)
  const goaways: number[] = []
  early.session.on('goaway', (code) => goaways.push(code))
  early.session.request({ ':path': '/' }).on('error', () => {}).resume()
  await sleep(100)
  sessions.drain()
  sessions.drain()
  await sleep(100)
  t.same(goaways, [0], 'one GOAWAY for the session open at the drain, not one per drain() call')

  sessions.close()
  const late = client(t, origin)
  await within(late.closed, 5000, 'the session that arrived after closing began to close')
  await within(early.closed, 5000, 'the early session to close')
  t.same(sessions.pending(), { sessions: 0, streams: 0 }, 'no session left')
})

/** A session as a Node.js that keeps its streams elsewhere would hand it over: no Symbol(state). */
class SessionWithoutState extends EventEmitter {
  closed = false
  destroyed = false
  goaway (): void {}
  close (): void { this.closed = true; this.emit('close') }
}

test('on a Node.js that hides a session\'s streams, their count is unknown and no response is listed', async (t) => {
  const server = createServer()
  const sessions = trackHttp2Sessions(server)
  const session = new SessionWithoutState()
  server.emit('session', session as unknown as ServerHttp2Session)
  t.same(sessions.pending(), { sessions: 1, streams: undefined })
  t.same(sessions.openResponses(), [])
  sessions.close()
  t.same(sessions.pending(), { sessions: 0, streams: 0 }, 'closing still closes it')
  sessions.detach()
})
