// Real processes, real sockets, real signals: a fixture server using the plugin, driven like Kubernetes drives a pod.
import { connect, type Socket } from 'node:net'
import { fileURLToPath } from 'node:url'
import { send, startKeepAliveLoad, startServerProcess, within, type RequestRecord, type ServerProcess } from '@zerodown/testkit'
import { test, type Test } from 'tap'
import { Agent } from 'undici'

const fixture = fileURLToPath(new URL('./fixtures/server.js', import.meta.url))

async function start (t: Test, env: Record<string, string> = {}): Promise<ServerProcess> {
  const server = await startServerProcess({ args: [fixture], env: { KUBERNETES_SERVICE_HOST: '', ...env } })
  t.teardown(() => { if (server.child.exitCode === null && server.child.signalCode === null) server.signal('SIGKILL') })
  await server.waitForLog('lifecycle starting -> ready')
  return server
}

/** A request on its own keep-alive connection, started now. */
function request (t: Test, origin: string, path: string): Promise<RequestRecord> {
  const agent = new Agent({ connections: 1 })
  t.teardown(() => agent.destroy())
  return send(agent, origin, path, 10_000)
}

const messages = (server: ServerProcess): string[] => server.logs().map((l) => String(l.msg))
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Each phase is logged exactly once, with a duration. */
function assertPhasesLogged (t: Test, server: ServerProcess, exitCode: number): void {
  for (const phase of ['draining', 'closing', 'closed']) {
    const logs = server.logs().filter((l) => l.zerodown === 'shutdown' && l.phase === phase)
    t.equal(logs.length, 1, `phase ${phase} logged once`)
    t.type(logs[0]?.durationMs, 'number', `phase ${phase} logged with its duration`)
  }
  t.match(server.logs().find((l) => l.phase === 'closed'), { exitCode })
}

test('SIGTERM under keep-alive load through the listener close: 200s until it closes, then only refused new connections, exit 0', async (t) => {
  const drainDelay = 500
  // A timer nobody clears holds the event loop: the plugin's exit, not an empty loop, ends the process.
  const server = await start(t, { ZERODOWN_DRAIN_DELAY_MS: String(drainDelay), FORGOTTEN_TIMER: '1' })
  const load = startKeepAliveLoad({ origin: server.origin, connections: 6, pauseMs: 2 })
  t.teardown(() => load.stop())
  await sleep(300)

  // Slow requests in flight at SIGTERM; they end while the instance is closing.
  const slowBefore = [request(t, server.origin, '/slow?ms=1000'), request(t, server.origin, '/slow?ms=1000')]
  await sleep(50)
  const signalledAt = performance.now()
  server.signal('SIGTERM')
  await server.waitForLog('draining for')
  const drainingSeenAt = performance.now()
  // A slow request that starts while draining, also ends while closing.
  const slowDuring = request(t, server.origin, '/slow?ms=600')
  await server.waitForLog('lifecycle draining -> closing')
  const closingSeenAt = performance.now()

  // The load runs on through the listener close until the process has exited.
  const exit = await within(server.exited, 10_000, 'exit after SIGTERM')
  const records = await load.stop()
  const slow = await Promise.all([...slowBefore, slowDuring])

  t.equal(exit.code, 0, 'exit code 0')
  t.ok(exit.at - signalledAt < drainDelay + 1000 + 2000, `exits within drainDelay + longest request + margin (${Math.round(exit.at - signalledAt)} ms)`)
  for (const r of slow) t.match(r, { status: 200, connection: 'close' }, `${r.path}: in-flight request finishes with 200 and Connection: close`)

  const all = [...records, ...slow]
  t.same(all.filter((r) => r.status !== undefined && r.status !== 200).map((r) => r.status), [], 'no response other than 200 (no 503)')
  // The listener cannot close before drainDelay has passed since the signal was sent.
  const listenerClosedNoEarlierThan = signalledAt + drainDelay - 20
  const beforeClose = all.filter((r) => r.start < listenerClosedNoEarlierThan)
  t.same(beforeClose.filter((r) => r.status !== 200), [], 'every request sent before the listener closed got 200')
  const drained = records.filter((r) => r.start > drainingSeenAt && r.status !== undefined)
  t.ok(drained.length > 10, `requests kept being served while draining (${drained.length})`)
  t.same(drained.filter((r) => r.connection !== 'close'), [], 'every response while draining carries Connection: close')
  t.ok(records.some((r) => r.start > closingSeenAt), 'the load kept sending after the listener closed')
  // After the listener closed: a NEW connection may be refused (a client can retry it elsewhere);
  // a request on an EXISTING connection must never fail, whenever it happens.
  t.same(all.filter((r) => r.error !== undefined && r.reused), [], 'no request on an existing keep-alive connection failed')
  // A NEW connection opened as the listener closes may be refused, or reset when it sat unread in
  // the accept queue, or closed unparsed as the idle connections were closed (undici's
  // UND_ERR_SOCKET, seen on Node.js 26): the app never saw its request.
  const newFailures = all.filter((r) => r.error !== undefined && !r.reused)
  t.same(newFailures.filter((r) => !['ECONNREFUSED', 'ECONNRESET', 'UND_ERR_SOCKET'].includes(r.error!) || r.start < listenerClosedNoEarlierThan), [],
    `a new connection failed only at the connection level, and only once the listener closed (${newFailures.length} such)`)
  t.ok(all.some((r) => r.reused && r.status === 200) && all.some((r) => !r.reused && r.status === 200),
    'both kinds were seen: requests on reused connections and on new ones')

  t.match(server.logs().find((l) => String(l.msg).startsWith('app onClose hook')), { inFlight: 0 }, 'onClose hooks ran after the in-flight requests')
  assertPhasesLogged(t, server, 0)
  // Registered with no options: the drain comes from ZERODOWN_DRAIN_DELAY_MS, and lasted that long.
  t.match(server.logs().filter((l) => l.settings !== undefined), [{
    settings: { drainDelay: { value: drainDelay, source: 'environment variable ZERODOWN_DRAIN_DELAY_MS' }, timeout: { value: 20_000, source: 'default' } }
  }], 'one start log line names each value and where it came from')
  const drainPhase = server.logs().find((l) => l.phase === 'draining')
  t.ok(Number(drainPhase?.durationMs) >= drainDelay, `drained for ZERODOWN_DRAIN_DELAY_MS (${String(drainPhase?.durationMs)} ms)`)
  const transitions = server.logs().filter((l) => l.state !== undefined).map((l) => `${String(l.previous)} -> ${String(l.state)}`)
  t.same(transitions.sort(), ['closing -> closed', 'draining -> closing', 'ready -> draining', 'starting -> ready'], 'every lifecycle transition, each from the one before')
})

/** A raw HTTP/1.1 client, to hold a connection open with a half-sent request. */
function rawSocket (t: Test, port: number): Promise<{ socket: Socket, received: () => string, ended: Promise<void> }> {
  return new Promise((resolve) => {
    let data = ''
    const socket = connect(port, '127.0.0.1', () => resolve({ socket, received: () => data, ended }))
    const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()))
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => { data += chunk })
    socket.on('error', () => {})
    t.teardown(() => { socket.destroy() })
  })
}

test('closing: a request arriving on an already-open connection is served; idle sockets are closed; exit 0', async (t) => {
  const server = await start(t, { ZERODOWN_DRAIN_DELAY_MS: '300' })

  // A keep-alive connection that served one request and has the next one half sent.
  const busy = await rawSocket(t, server.port)
  busy.socket.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n')
  while (!busy.received().includes('{"hello":"world"}')) await sleep(10)
  t.match(busy.received(), /connection: keep-alive/i)
  busy.socket.write('GET /slow?ms=50 HTTP/1.1\r\nHost: a\r\n')
  // An idle keep-alive connection, and one that never sent anything.
  const idle = await rawSocket(t, server.port)
  idle.socket.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n')
  const fresh = await rawSocket(t, server.port)

  server.signal('SIGTERM')
  await server.waitForLog('lifecycle draining -> closing')
  await sleep(100)
  t.notOk(busy.socket.closed, 'the connection with a request on its way stays open')
  busy.socket.write('\r\n')
  await within(busy.ended, 5000, 'the close of the busy connection after its answer')
  const second = busy.received().split('HTTP/1.1 ')[2] ?? ''
  t.match(second, /^200 OK/, 'the request that arrived during closing is answered 200')
  t.match(second, /connection: close/i, 'with Connection: close')
  await within(idle.ended, 5000, 'the close of the idle keep-alive connection')
  await within(fresh.ended, 5000, 'the close of the connection that never sent a request')
  t.ok(idle.socket.closed && fresh.socket.closed, 'the idle keep-alive connection and the one that never sent a request were closed')

  const exit = await within(server.exited, 10_000, 'exit of the server process')
  t.equal(exit.code, 0, 'exit code 0')
  assertPhasesLogged(t, server, 0)
})

test('timeout: an onClose hook that never resolves exits 1 at the deadline and names what was pending', async (t) => {
  const server = await start(t, { HANG_ON_CLOSE: '1', ZERODOWN_SHUTDOWN_TIMEOUT_MS: '800' })
  const signalledAt = performance.now()
  server.signal('SIGTERM')
  const exit = await within(server.exited, 10_000, 'exit of the server process')
  t.equal(exit.code, 1, 'exit code 1')
  t.ok(exit.at - signalledAt >= 800 && exit.at - signalledAt < 800 + 3000,
    `exits at the deadline set by ZERODOWN_SHUTDOWN_TIMEOUT_MS (${Math.round(exit.at - signalledAt)} ms)`)
  const log = server.logs().find((l) => String(l.msg).includes('timeout of 800 ms reached'))
  t.match(log, { level: 50, phase: 'closing', inFlight: 0, closeHooks: /^running for \d+ ms$/ }, 'the log names the hooks still running')
  t.match(String(log?.msg), /preClose\/onClose hooks running/)
})

test('timeout: the requests still in flight at the deadline are named in the log, with their age', async (t) => {
  const server = await start(t, { ZERODOWN_DRAIN_DELAY_MS: '600', ZERODOWN_SHUTDOWN_TIMEOUT_MS: '1500' })
  const before = request(t, server.origin, '/slow?ms=5000')
  await sleep(100)
  server.signal('SIGTERM')
  await server.waitForLog('shutdown: SIGTERM: draining')
  const during = request(t, server.origin, '/slow?ms=4000')
  const exit = await within(server.exited, 10_000, 'exit of the server process')
  t.equal(exit.code, 1, 'exit code 1')
  const log = server.logs().find((l) => String(l.msg).includes('timeout of 1500 ms reached'))
  t.match(log, { phase: 'closing', inFlight: 2, openConnections: 2, closeHooks: 'not started' })
  const requests = [...(log?.requests as string[] ?? [])].sort()
  t.match(requests[0], /^GET \/slow\?ms=4000 \(\d+ ms\)$/, 'a request begun while draining: its own age')
  t.match(requests[1], /^GET \/slow\?ms=5000 \(more than \d+ ms\)$/, 'one begun before the drain: at least the time since')
  t.match(await before, { error: /.+/ }, 'the requests die with the process')
  t.match(await during, { error: /.+/ })
})

test('a second SIGTERM while draining exits at once', async (t) => {
  const server = await start(t, { ZERODOWN_DRAIN_DELAY_MS: '5000' })
  server.signal('SIGTERM')
  await server.waitForLog('draining for 5000 ms')
  const secondAt = performance.now()
  server.signal('SIGTERM')
  const exit = await within(server.exited, 10_000, 'exit of the server process')
  t.equal(exit.code, 1, 'exit code 1')
  t.ok(exit.at - secondAt < 4000, `exits at once (${Math.round(exit.at - secondAt)} ms), not after the 5 s drain`)
  t.ok(messages(server).includes('shutdown: second SIGTERM, exiting at once with code 1'))
  t.notOk(messages(server).some((m) => m.includes('draining done')), 'the drain did not finish')
})

for (const [path, event] of [['/crash', 'uncaughtException'], ['/reject', 'unhandledRejection']]) {
  test(`${event} in a handler's async work: drain, then exit 1`, async (t) => {
    const server = await start(t, { ZERODOWN_DRAIN_DELAY_MS: '400' })
    t.match(await request(t, server.origin, path!), { status: 200 })
    await server.waitForLog('draining for 400 ms')
    // Still serving while draining, telling the client to go elsewhere.
    t.match(await request(t, server.origin, '/'), { status: 200, connection: 'close' }, 'served while draining')
    const exit = await within(server.exited, 10_000, 'exit of the server process')
    t.equal(exit.code, 1, 'exit code 1')
    t.match(server.logs().find((l) => l.level === 60), { err: { message: /in async work/ } }, 'the error is logged as fatal')
    t.match(server.logs().find((l) => l.reason !== undefined), { reason: 'uncaught error' })
    assertPhasesLogged(t, server, 1)
  })
}

test('an uncaught error during a drain that SIGTERM began: the drain goes on, the request in flight gets its answer, exit 1', async (t) => {
  const server = await start(t, { ZERODOWN_DRAIN_DELAY_MS: '600' })
  const slow = request(t, server.origin, '/slow?ms=1500')
  await sleep(100)
  server.signal('SIGTERM')
  await server.waitForLog('shutdown: SIGTERM: draining for 600 ms')
  await sleep(200)
  // Its handler throws from async work 10 ms after answering: the first uncaught error of the process.
  t.match(await request(t, server.origin, '/crash'), { status: 200, connection: 'close' })
  await server.waitForLog('uncaught error while draining')
  const exit = await within(server.exited, 10_000, 'exit of the server process')
  t.match(await slow, { status: 200, connection: 'close' }, 'the request in flight at SIGTERM is answered')
  t.equal(exit.code, 1, 'exit code 1: there was an uncaught error')
  const fatal = server.logs().filter((l) => l.level === 60)
  t.equal(fatal.length, 1, 'one fatal line')
  t.match(fatal[0], { during: 'draining', err: { message: 'boom in async work' }, msg: 'shutdown: uncaught error while draining; the shutdown goes on, then exits with code 1' })
  t.notOk(messages(server).some((m) => m.includes('another uncaught error')), 'the first error is not called another')
  t.match(server.logs().find((l) => l.reason !== undefined), { reason: 'SIGTERM' })
  t.match(server.logs().find((l) => String(l.msg).startsWith('app onClose hook')), { inFlight: 0 }, 'onClose ran after the request in flight')
  assertPhasesLogged(t, server, 1)
})

test('a second uncaught error while shutting down exits at once, naming the requests it cuts', async (t) => {
  const server = await start(t, { ZERODOWN_DRAIN_DELAY_MS: '5000' })
  const slow = request(t, server.origin, '/slow?ms=8000')
  await sleep(100)
  t.match(await request(t, server.origin, '/crash'), { status: 200 })
  await server.waitForLog('uncaught error, draining then exiting with code 1')
  t.match(await request(t, server.origin, '/crash'), { status: 200, connection: 'close' })
  const exit = await within(server.exited, 10_000, 'exit of the server process')
  t.equal(exit.code, 1)
  t.notOk(messages(server).some((m) => m.includes('draining done')), 'at once: the 5 s drain did not finish')
  const another = server.logs().find((l) => String(l.msg).includes('another uncaught error while shutting down, exiting at once with code 1'))
  t.match(another, { level: 60, pending: /phase draining; 1 request\(s\) in flight \[GET \/slow\?ms=8000 \(more than \d+ ms\)\]/ }, 'the cut request is reported')
  t.match(await slow, { error: /.+/ }, 'the request dies with the process')
})

test('a client holding a half-sent request at SIGTERM cannot hold the shutdown until its deadline: 408, then exit 0', async (t) => {
  const timeout = 15_000
  const server = await start(t, { ZERODOWN_DRAIN_DELAY_MS: '300', ZERODOWN_SHUTDOWN_TIMEOUT_MS: String(timeout) })
  // A slow-loris: part of a request's headers, then nothing more.
  const loris = await rawSocket(t, server.port)
  loris.socket.write('GET / HTTP/1.1\r\nHost: a\r\nX-Slow: 1\r\n')
  await sleep(100)
  const signalledAt = performance.now()
  server.signal('SIGTERM')
  const exit = await within(server.exited, timeout + 5000, 'exit of the server process')
  t.equal(exit.code, 0, 'exit code 0: a clean shutdown')
  t.ok(exit.at - signalledAt < timeout - 5000, `well before the ${timeout} ms deadline (${Math.round(exit.at - signalledAt)} ms)`)
  await within(loris.ended, 5000, 'the close of the slow client\'s connection')
  t.match(loris.received(), /^HTTP\/1\.1 408 Request Timeout\r\n/, 'it is told why, as Node.js tells it at its own headersTimeout')
  t.notOk(messages(server).some((m) => m.includes('timeout of')), 'no deadline reached')
  assertPhasesLogged(t, server, 0)
})

test('a request whose body stops arriving cannot hold the shutdown until its deadline; one still arriving is waited for', async (t) => {
  const timeout = 15_000
  const server = await start(t, { ZERODOWN_DRAIN_DELAY_MS: '300', ZERODOWN_SHUTDOWN_TIMEOUT_MS: String(timeout) })
  const head = 'POST /echo HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n'
  // Complete headers and part of the body, then nothing more.
  const stalled = await rawSocket(t, server.port)
  stalled.socket.write(head + '{"a"')
  // The same request, its body sent a byte at a time, every 400 ms: slow, but never silent for the grace.
  const trickling = await rawSocket(t, server.port)
  trickling.socket.write(head)
  const body = [...'{"b":"slow"}\n']
  const trickle = (async () => {
    for (const byte of body) {
      await sleep(400)
      trickling.socket.write(byte)
    }
  })()
  await sleep(100)
  const signalledAt = performance.now()
  server.signal('SIGTERM')
  await within(stalled.ended, timeout, 'the close of the stalled connection')
  t.match(stalled.received(), /^HTTP\/1\.1 408 Request Timeout\r\n/, 'the stalled client is told why')
  await trickle
  await within(trickling.ended, timeout, 'the close of the trickling connection')
  t.match(trickling.received(), /^HTTP\/1\.1 200 OK\r\n[^]*connection: close[^]*\{"b":"slow"\}$/i, 'the body that kept arriving got its answer')
  const exit = await within(server.exited, timeout + 5000, 'exit of the server process')
  t.equal(exit.code, 0, 'exit code 0: a clean shutdown')
  t.ok(exit.at - signalledAt < timeout - 5000, `well before the ${timeout} ms deadline (${Math.round(exit.at - signalledAt)} ms)`)
  t.notOk(messages(server).some((m) => m.includes('timeout of')), 'no deadline reached')
  assertPhasesLogged(t, server, 0)
})

test('app.shutdown(): the same sequence as SIGTERM', async (t) => {
  const server = await start(t, { ZERODOWN_DRAIN_DELAY_MS: '300' })
  const agent = new Agent({ connections: 1 })
  t.teardown(() => agent.destroy())
  const res = await fetch(`${server.origin}/shutdown`, { method: 'POST' })
  t.equal(res.status, 200)
  await server.waitForLog('draining for 300 ms')
  t.match(await request(t, server.origin, '/'), { status: 200, connection: 'close' }, 'served while draining')
  const exit = await within(server.exited, 10_000, 'exit of the server process')
  t.equal(exit.code, 0, 'exit code 0')
  t.match(server.logs().find((l) => l.reason !== undefined), { reason: 'admin request' })
  // Each transition with the state it came from: the chain must be exactly this. (Compared as a set:
  // once, on a loaded CI machine, two of these log lines arrived swapped in the captured output.)
  const transitions = server.logs().filter((l) => l.state !== undefined).map((l) => `${String(l.previous)} -> ${String(l.state)}`)
  t.same(transitions.sort(), ['closing -> closed', 'draining -> closing', 'ready -> draining', 'starting -> ready'])
  assertPhasesLogged(t, server, 0)
})

test('startup work keeps the instance starting after listen until it settles', async (t) => {
  const server = await startServerProcess({ args: [fixture], env: { STARTUP_WORK_MS: '300' } })
  t.teardown(() => { if (server.child.exitCode === null) server.signal('SIGKILL') })
  t.notOk(messages(server).includes('lifecycle starting -> ready'), 'not ready at listen')
  await server.waitForLog('lifecycle starting -> ready')
  server.signal('SIGINT')
  t.equal((await within(server.exited, 10_000, 'exit of the server process')).code, 0, 'SIGINT is handled by default, exit 0')
})
