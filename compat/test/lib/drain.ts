import { startKeepAliveLoad, startServerProcess, within, type ServerProcess } from '@zerodown/testkit'
import { fileURLToPath } from 'node:url'
import { test, type Test } from 'tap'
import { VERSION } from '../../src/app.js'
import { ORDERS, type Entry, type Order } from '../../src/entry.js'
import { readinessAfterSignal, request, sleep } from './requests.js'

const fixture = fileURLToPath(new URL('../../fixtures/server.js', import.meta.url))
const DRAIN_DELAY = 1000

/**
 * For each entry, in both orders, a real process under a real keep-alive load gets a real
 * SIGTERM: requests in flight finish with 200, the drain's responses carry Connection: close,
 * readiness answers 503 (on the main port when the plugin comes first, on a probe port of its own
 * when it comes after), and the process exits 0.
 */
export function runDrainTests (entries: readonly Entry[]): void {
  for (const entry of entries) {
    for (const order of ORDERS) {
      const name = `${entry.name}, registered ${order} the zerodown plugins: SIGTERM under keep-alive load drains, exit 0`
      test(name, (t) => drain(t, entry, order))
    }
  }
}

async function start (t: Test, entry: Entry, order: Order): Promise<{ server: ServerProcess, probes: string }> {
  const server = await startServerProcess({
    args: [fixture],
    env: {
      PLUGIN: entry.name,
      ORDER: order,
      KUBERNETES_SERVICE_HOST: '',
      ZERODOWN_DRAIN_DELAY_MS: String(DRAIN_DELAY),
      ZERODOWN_SHUTDOWN_TIMEOUT_MS: '20000',
      ZERODOWN_PROBE_PORT: order === 'after' ? '0' : ''
    }
  })
  t.teardown(() => { if (server.child.exitCode === null && server.child.signalCode === null) server.signal('SIGKILL') })
  const { probePort } = await server.waitForLog('probes listening')
  await server.waitForLog('lifecycle starting -> ready')
  return { server, probes: typeof probePort === 'number' ? `http://127.0.0.1:${probePort}` : server.origin }
}

async function drain (t: Test, entry: Entry, order: Order): Promise<void> {
  const { server, probes } = await start(t, entry, order)
  const paths = entry.drainPaths ?? ['/hello']
  const load = startKeepAliveLoad({ origin: server.origin, connections: 4, paths, pauseMs: 5 })
  t.teardown(() => load.stop())
  const ended = await entry.beforeSignal?.(t, server.origin)
  await sleep(200)
  const slow = request(t, server.origin, '/slow?ms=1200')
  await sleep(100)
  server.signal('SIGTERM')
  const readiness = await readinessAfterSignal(t, probes)
  await server.waitForLog('draining for')
  const drainingSeenAt = performance.now()
  const exit = await within(server.exited, 20_000, 'exit after SIGTERM')
  const records = await load.stop()
  const inFlight = await slow

  t.equal(exit.code, 0, 'exit code 0')
  const port = probes === server.origin ? 'main port' : 'probe port'
  t.equal(readiness.status, 503, `/readyz answers 503 once draining (${port})`)
  t.match(inFlight, { status: 200, connection: 'close', version: VERSION },
    'the request in flight at SIGTERM finishes: 200, Connection: close')
  const answered = records.filter((r) => r.status !== undefined)
  const unlike = answered.filter((r) => r.status !== 200 || r.version !== VERSION)
  t.same(unlike.map((r) => `${r.path} ${r.status}`), [], `every response of the load is a 200 with x-app-version (${answered.length})`)
  const drained = answered.filter((r) => r.start > drainingSeenAt)
  t.ok(drained.length > 0, `served while draining (${drained.length})`)
  t.same(drained.filter((r) => r.connection !== 'close').map((r) => r.path), [], 'every response while draining carries Connection: close')
  const failed = records.filter((r) => r.error !== undefined)
  t.same(failed.filter((r) => r.reused).map((r) => r.error), [], 'no request on an open keep-alive connection failed')
  // A new connection may be refused or reset once the listener closed: the app never saw its request.
  const refused = ['ECONNREFUSED', 'ECONNRESET', 'UND_ERR_SOCKET']
  t.same(failed.filter((r) => !refused.includes(r.error!)).map((r) => r.error), [], 'a new connection failed only at the connection level')
  t.match(server.logs().find((l) => l.phase === 'closed'), { exitCode: 0 }, 'the shutdown logged its end')
  await ended?.()
}
