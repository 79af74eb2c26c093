// The built server as a real process under keep-alive load with fast and 1 s requests, then SIGTERM:
// what a pod sees when Kubernetes replaces it.
import { send, startKeepAliveLoad, startServerProcess, within } from '@zerodown/testkit'
import { fileURLToPath } from 'node:url'
import { test } from 'tap'
import { Agent } from 'undici'

const server = fileURLToPath(new URL('../dist/server.js', import.meta.url))
const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
const DRAIN_MS = 2500

for (const probePort of [undefined, '0']) {
  test(`SIGTERM under load drops nothing (probes on ${probePort === undefined ? 'the main port' : 'their own port'})`, async (t) => {
    const proc = await startServerProcess({
      args: [server],
      env: {
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        // The pod's contract, as the chart renders it; the demo passes none of it to the plugins.
        ZERODOWN_APP_VERSION: 'v1',
        ZERODOWN_DRAIN_DELAY_MS: String(DRAIN_MS),
        ZERODOWN_SHUTDOWN_TIMEOUT_MS: '10000',
        ...(probePort !== undefined && { ZERODOWN_PROBE_PORT: probePort })
      }
    })
    t.teardown(() => { if (proc.child.exitCode === null) proc.signal('SIGKILL') })
    let probeOrigin = proc.origin
    if (probePort !== undefined) {
      const log = await proc.waitForLog('probes answering on port')
      probeOrigin = `http://127.0.0.1:${(log.probes as { port: number }).port}`
    }

    const fast = startKeepAliveLoad({ origin: proc.origin, connections: 4, paths: ['/', '/work?ms=20'] })
    const slow = startKeepAliveLoad({ origin: proc.origin, connections: 3, paths: ['/work?ms=1000'] })
    const probes = startKeepAliveLoad({ origin: probeOrigin, connections: 1, paths: ['/readyz', '/livez'], pauseMs: 50 })
    t.teardown(async () => { await Promise.all([fast.stop(), slow.stop(), probes.stop()]) })
    await tick(1200) // a slow request is in flight on every slow connection
    const signalledAt = performance.now()
    proc.signal('SIGTERM')
    await proc.waitForLog('draining for')
    const agent = new Agent()
    t.teardown(() => agent.close())
    t.equal((await send(agent, probeOrigin, '/readyz', 2000)).status, 503, 'readiness is 503 as soon as draining starts')
    // The load runs on through the listener close until the process has exited: what a pool of
    // keep-alive connections does when its load balancer is slower than the budget.
    await proc.waitForLog('draining done', 10_000)
    const closingSeenAt = performance.now()
    const exit = await within(proc.exited, 15_000, 'exit after SIGTERM')
    const records = [...await fast.stop(), ...await slow.stop()]
    const probeRecords = await probes.stop()

    t.equal(exit.code, 0, 'exit 0')
    // Every request sent before the listener could close (drain end, less a small margin) is answered.
    const beforeClose = records.filter((r) => r.start < signalledAt + DRAIN_MS - 20)
    t.same(beforeClose.filter((r) => r.status !== 200), [], 'zero failed requests: no 5xx, no reset, no refusal')
    t.ok(records.some((r) => r.start > closingSeenAt), 'the load kept sending after the listener closed')
    t.same(records.filter((r) => r.status !== undefined && r.status !== 200), [], 'no response other than 200, ever')
    t.same(records.filter((r) => r.error !== undefined && r.reused), [], 'no request on an existing keep-alive connection failed, ever')
    // A NEW connection opened as the listener closes may be refused, or reset when it sat unread in
    // the accept queue, or closed unparsed as the idle connections were closed (undici's
    // UND_ERR_SOCKET, seen on Node.js 26, as in the shutdown package's process test): a
    // connection-level failure of a request the app never saw, only past the budget (a load balancer
    // slower than S + d).
    const newFailures = records.filter((r) => r.error !== undefined && !r.reused)
    t.same(newFailures.filter((r) => !['ECONNREFUSED', 'ECONNRESET', 'UND_ERR_SOCKET'].includes(r.error!) || r.start < signalledAt + DRAIN_MS - 20), [],
      `a new connection failed only at the connection level, only once the listener closed (${newFailures.length} such)`)
    t.ok(beforeClose.length > 50, `load was real (${beforeClose.length} requests before the listener could close)`)
    t.ok(records.filter((r) => r.path === '/work?ms=1000' && r.start < signalledAt).length >= 3, 'slow requests in flight at SIGTERM completed')
    t.ok(records.some((r) => r.start > signalledAt && r.connection === 'close'), 'responses while draining carry Connection: close')
    const readyWhileDraining = probeRecords.filter((r) => r.path === '/readyz' && r.start > signalledAt + 100 && r.status !== undefined)
    t.ok(readyWhileDraining.length > 0 && readyWhileDraining.every((r) => r.status === 503), 'readiness stays 503 while draining')
    t.ok(probeRecords.filter((r) => r.path === '/livez' && r.status !== undefined).every((r) => r.status === 200), 'liveness stays 200')
    t.ok(exit.at - signalledAt < DRAIN_MS + 1000 + 3000, 'exits within drain + longest request + margin')
  })
}
