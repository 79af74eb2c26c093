import { createServer } from 'node:net'
import { test, type Test } from 'tap'
import { Agent } from 'undici'
import { send, startKeepAliveLoad, startServerProcess } from '@zerodown/testkit'

const fixture = new URL('./fixtures/rollout-server.js', import.meta.url).pathname
const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
const DRAIN_MS = 5000

async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

// The fixture registers both plugins with no options: everything below comes from the pod environment.
async function sigtermWhileServing (t: Test, probePort?: number): Promise<void> {
  const server = await startServerProcess({
    args: [fixture],
    env: {
      KUBERNETES_SERVICE_HOST: '',
      ZERODOWN_DRAIN_DELAY_MS: String(DRAIN_MS),
      ZERODOWN_SHUTDOWN_TIMEOUT_MS: '15000',
      ZERODOWN_PROBE_PORT: probePort === undefined ? '' : String(probePort)
    }
  })
  t.teardown(() => { if (server.child.exitCode === null) server.signal('SIGKILL') })
  let probeOrigin = server.origin
  if (probePort !== undefined) {
    const log = await server.waitForLog('probes answering on port')
    t.equal((log.probes as { port: number }).port, probePort, 'the probes listen on ZERODOWN_PROBE_PORT')
    probeOrigin = `http://127.0.0.1:${probePort}`
    t.equal((await send(new Agent(), server.origin, '/readyz', 2000)).status, 404, 'and are not on the main port')
  }
  t.match(server.logs().find((l) => l.zerodown === 'shutdown' && l.settings !== undefined), {
    settings: {
      drainDelay: { value: DRAIN_MS, source: 'environment variable ZERODOWN_DRAIN_DELAY_MS' },
      timeout: { value: 15_000, source: 'environment variable ZERODOWN_SHUTDOWN_TIMEOUT_MS' }
    }
  }, 'the shutdown plugin logs its timings from the environment')
  t.match(server.logs().find((l) => l.zerodown === 'probes' && l.settings !== undefined), {
    settings: { port: probePort === undefined ? { source: 'default' } : { value: probePort, source: 'environment variable ZERODOWN_PROBE_PORT' } }
  }, 'the probes plugin logs its port and where it came from')
  await server.waitForLog('lifecycle ready')

  const agent = new Agent({ connections: 2 })
  t.teardown(() => agent.close())
  t.equal((await send(agent, probeOrigin, '/readyz', 2000)).status, 200, 'ready before SIGTERM')

  const users = startKeepAliveLoad({ origin: server.origin, connections: 4, paths: ['/'] })
  const probes = startKeepAliveLoad({ origin: probeOrigin, connections: 1, paths: ['/readyz', '/livez'], pauseMs: 10 })
  await tick(300)
  const signalledAt = performance.now()
  server.signal('SIGTERM')
  await server.waitForLog('lifecycle draining')
  const drainingSeenAt = performance.now()

  // The very next probes after draining began.
  const [ready, live, user] = await Promise.all([
    send(agent, probeOrigin, '/readyz', 2000),
    send(agent, probeOrigin, '/livez', 2000),
    send(agent, server.origin, '/', 2000)
  ])
  t.equal(ready.status, 503, 'readiness is 503 on the very next probe')
  t.equal(live.status, 200, 'liveness stays 200')
  t.equal(user.status, 200, 'a user request is still served')

  await tick(400)
  const userRecords = await users.stop()
  const probeRecords = await probes.stop()
  const stoppedAt = performance.now()
  t.ok(stoppedAt - signalledAt < DRAIN_MS, 'everything below happened while draining, before closing')

  const afterSignal = userRecords.filter((r) => r.start > signalledAt)
  t.ok(afterSignal.length > 5, `user traffic kept flowing after SIGTERM (${afterSignal.length} requests)`)
  t.same(userRecords.filter((r) => r.status !== 200), [], 'every user request got 200, before and after SIGTERM')
  t.ok(afterSignal.some((r) => r.connection === 'close'), 'draining responses ask keep-alive clients to reconnect')

  const readyBefore = probeRecords.filter((r) => r.path === '/readyz' && r.end < signalledAt)
  const readyAfter = probeRecords.filter((r) => r.path === '/readyz' && r.start > drainingSeenAt)
  const liveAfter = probeRecords.filter((r) => r.path === '/livez' && r.start > signalledAt)
  t.ok(readyBefore.length > 0 && readyBefore.every((r) => r.status === 200), 'readiness 200 before SIGTERM')
  t.ok(readyAfter.length > 0, `readiness probed while draining (${readyAfter.length})`)
  t.ok(readyAfter.every((r) => r.status === 503), 'every readiness probe after draining began is 503')
  t.ok(liveAfter.length > 0 && liveAfter.every((r) => r.status === 200), 'every liveness probe after SIGTERM is 200')

  const exit = await server.exited
  t.equal(exit.code, 0, 'exits 0 after draining and closing')
  t.ok(exit.at - signalledAt >= DRAIN_MS, `drained for ZERODOWN_DRAIN_DELAY_MS before closing (exit after ${Math.round(exit.at - signalledAt)} ms)`)
  const drained = server.logs().find((l) => l.zerodown === 'shutdown' && l.phase === 'draining')
  t.ok(Number(drained?.durationMs) >= DRAIN_MS, `the draining phase lasted ${String(drained?.durationMs)} ms`)
}

test('SIGTERM with probes on the main port: readiness 503 at once, liveness and users 200', async (t) => {
  await sigtermWhileServing(t)
})

test('SIGTERM with probes on ZERODOWN_PROBE_PORT: same answers there, and the port stays up through draining', async (t) => {
  await sigtermWhileServing(t, await freePort())
})

for (const [lateWork, hang] of [['resolves', false], ['rejects', true]] as const) {
  test(`late startup work that ${lateWork}, then SIGTERM ${hang ? 'with a hung onClose hook: exit 1 at the deadline' : 'finishing: exit 0'}`, async (t) => {
    const server = await startServerProcess({
      args: [fixture],
      env: { ZERODOWN_DRAIN_DELAY_MS: '300', ZERODOWN_SHUTDOWN_TIMEOUT_MS: '1500', ZERODOWN_PROBE_PORT: '0', LATE_WORK: lateWork, ...(hang && { HANG_ON_CLOSE: '1' }) }
    })
    t.teardown(() => { if (server.child.exitCode === null) server.signal('SIGKILL') })
    const log = await server.waitForLog('probes answering on port')
    const probes = `http://127.0.0.1:${(log.probes as { port: number }).port}`
    const agent = new Agent({ connections: 2 })
    t.teardown(() => agent.close())
    const readiness = async (): Promise<number | undefined> => (await send(agent, probes, '/readyz', 2000)).status
    const state = async (): Promise<unknown> => (await fetch(`${server.origin}/state`)).json()

    await server.waitForLog('lifecycle ready')
    t.match(server.logs().find((l) => l.level === 40), { msg: /startup work added while ready: it changes no state/ }, 'the late work is logged')
    t.same(await state(), { lifecycle: 'ready', probes: 'ready' }, 'while the late work runs: ready')
    t.equal(await readiness(), 200, 'while the late work runs: readiness 200')
    await server.waitForLog('late work settles')
    await tick(50)
    t.same(await state(), { lifecycle: 'ready', probes: 'ready' }, `once it ${lateWork}: still ready`)
    t.equal(await readiness(), 200, `once it ${lateWork}: readiness 200`)
    if (lateWork === 'rejects') t.ok(server.logs().some((l) => l.level === 50 && /left starting failed/.test(String(l.msg))), 'the failure is logged')

    const signalledAt = performance.now()
    server.signal('SIGTERM')
    await server.waitForLog('lifecycle draining')
    t.equal(await readiness(), 503, 'draining: readiness 503')
    await server.waitForLog('lifecycle closing')
    if (hang) t.equal(await readiness(), 503, 'closing, an onClose hook hung: readiness 503, the probe port still answers')
    const exit = await server.exited
    if (hang) {
      t.equal(exit.code, 1, 'exit 1 at the deadline')
      t.ok(exit.at - signalledAt >= 1400, `not before the deadline (${Math.round(exit.at - signalledAt)} ms)`)
      t.match(server.logs().find((l) => /timeout of 1500 ms reached, exiting with code 1/.test(String(l.msg))), { phase: 'closing', closeHooks: /^running for/ })
      t.notOk(server.logs().some((l) => /shutdown: failed/.test(String(l.msg))), 'the deadline is logged once')
    } else {
      t.equal(exit.code, 0, 'exit 0')
      t.ok(server.logs().some((l) => l.state === 'closed'), 'closed')
    }
  })
}
