// The kubelet and the Service with real processes and sockets, small times, assertions on counts and order.
import { createServer as createHttpServer, type Server } from 'node:http'
import { connect, createServer } from 'node:net'
import { test, type Test } from 'tap'
import { Pod } from '../src/kubelet.js'
import { parseManifest, type DeploymentSpec } from '../src/manifest.js'
import { podEnv } from '../src/pod-env.js'
import { ProbeResult } from '../src/probe.js'
import { Service } from '../src/service.js'
import { createClock, type PodEvent } from '../src/timeline.js'
import { alivePids, FIXTURE, manifest, type ManifestTimings } from './fixtures/helpers.js'

function freePort (): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0))
    })
  })
}

async function startPod (t: Test, timings: ManifestTimings, env: Record<string, string> = {}) {
  const dir = t.testdir()
  const spec: DeploymentSpec = parseManifest(manifest(timings))
  const events: PodEvent[] = []
  const waiters: Array<() => void> = []
  const port = await freePort()
  const pod = new Pod({
    name: 'fx-abc-12345',
    version: '1.0.0',
    port,
    command: [process.execPath, FIXTURE],
    env: { ...spec.env, ZERODOWN_APP_VERSION: '1.0.0', PORT: String(port), PID_DIR: dir, ...env },
    spec,
    clock: createClock(),
    restartBackoffMs: 100,
    onEvent: (e) => { events.push(e); for (const w of waiters.splice(0)) w() }
  })
  t.teardown(() => pod.kill())
  const finish = async (): Promise<void> => {
    await pod.kill()
    t.same(alivePids(dir), [], 'no process left')
  }
  const until = async (check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms; events: ${events.map((e) => e.kind + ' ' + (e.detail ?? '')).join(', ')}`)
      await new Promise<void>((resolve) => { waiters.push(resolve); setTimeout(resolve, 50) })
    }
  }
  const kinds = (kind: PodEvent['kind'], detail?: RegExp): PodEvent[] => events.filter((e) => e.kind === kind && (detail === undefined || detail.test(e.detail ?? '')))
  const admin = (path: string): Promise<Response> => fetch(`http://127.0.0.1:${pod.port}${path}`)
  return { pod, events, until, kinds, admin, finish }
}

test('R5: a result flips only after threshold consecutive results (prober worker)', async (t) => {
  const readiness = new ProbeResult({ successThreshold: 2, failureThreshold: 3 }, false)
  t.same([true, false, true, true].map((ok) => readiness.observe(ok)), [false, false, false, true], 'two successes in a row to become ready')
  t.same([false, false, true, false, false, false].map((ok) => readiness.observe(ok)), [false, false, false, false, false, true], 'three failures in a row to become not ready')
  t.equal(readiness.result, false)
  const startup = new ProbeResult({ successThreshold: 1, failureThreshold: 2 }, undefined)
  t.equal(startup.observe(false), false)
  t.equal(startup.observe(false), true, 'startup fails after failureThreshold')
  t.equal(startup.result, false)
})

test('a pod gets the environment a kubelet gives, and of ours only the allow-list and --pass-env', async (t) => {
  process.env.ZERODOWN_TEST_PASSED = 'passed'
  process.env.ZERODOWN_TEST_KEPT = 'kept'
  t.teardown(() => { delete process.env.ZERODOWN_TEST_PASSED; delete process.env.ZERODOWN_TEST_KEPT })
  const spec = parseManifest(manifest({ env: { FROM_MANIFEST: 'yes' } }))
  const env = podEnv({ podName: 'fx-abc-12345', container: spec, passEnv: ['ZERODOWN_TEST_PASSED'], overrides: { ZERODOWN_APP_VERSION: '1.0.0' } })
  const { pod, until, admin, finish } = await startPod(t, {}, env)
  await until(() => pod.ready, 'ready')
  const seen = await (await admin('/env')).json() as Record<string, string>
  t.match(seen, { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: '443', HOSTNAME: 'fx-abc-12345', FROM_MANIFEST: 'yes', ZERODOWN_TEST_PASSED: 'passed', PATH: process.env.PATH })
  // (NODE_OPTIONS is not checked: tap's process tracking puts itself back into what a test spawns.)
  t.equal(seen.TAP, undefined, 'the test runner\'s variables stay out')
  t.equal(seen.ZERODOWN_TEST_KEPT, undefined, 'what is not passed stays out')
  await finish()
})

test('R5: startup gates readiness; readiness follows its thresholds both ways', async (t) => {
  const { pod, until, kinds, admin, finish } = await startPod(t, {
    startup: '{ httpGet: { path: /startupz, port: http }, periodSeconds: 0.1, failureThreshold: 100 }',
    readiness: '{ httpGet: { path: /readyz, port: http }, periodSeconds: 0.1, failureThreshold: 3, successThreshold: 2 }'
  }, { STARTUP_MS: '800' })
  await until(() => pod.ready, 'ready')
  const startupFailures = kinds('probe-failed', /^startup: HTTP 503/)
  t.ok(startupFailures.length >= 1, `the startup probe saw 503s first (${startupFailures.length})`)
  t.equal(kinds('probe-failed', /^readiness/).length, 0, 'readiness was not probed before startup succeeded')
  t.equal(kinds('probe-failed', /^liveness/).length, 0, 'liveness was not probed before startup succeeded')

  await admin('/admin/readyz?status=503')
  await until(() => !pod.ready, 'not ready')
  const failedBefore = kinds('probe-failed', /^readiness: HTTP 503/).length
  t.equal(failedBefore, 3, 'exactly failureThreshold failures before not ready')
  await admin('/admin/readyz?status=200')
  await until(() => pod.ready, 'ready again')
  t.equal(kinds('ready').length, 2)
  t.equal(kinds('not-ready').length, 1)
  await finish()
})

test('R5: a liveness probe that times out restarts the container', async (t) => {
  const { pod, until, kinds, admin, finish } = await startPod(t, {
    liveness: '{ httpGet: { path: /livez, port: http }, periodSeconds: 0.1, timeoutSeconds: 0.2, failureThreshold: 2 }',
    preStop: 0,
    grace: 0.5
  })
  await until(() => pod.ready, 'ready')
  await admin('/admin/livez?delay=5000')
  await until(() => kinds('restarting').length > 0, 'restart')
  t.match(kinds('restarting')[0]?.detail, /liveness probe failed 2 times \(timeout after 200 ms\)/)
  t.equal(kinds('probe-failed', /^liveness: timeout/).length, 2, 'two timed-out probes, then the restart')
  await until(() => kinds('started').length === 2 && pod.ready, 'a fresh container, ready')
  t.equal(pod.restarts, 1)
  t.equal(pod.crashes, 0, 'a kubelet kill is no crash')
  await finish()
})

test('R6: deletion runs preStop, then SIGTERM, then SIGKILL when the grace period from deletion runs out', async (t) => {
  const { pod, until, kinds, events, finish } = await startPod(t, { preStop: 0.3, grace: 1 }, { IGNORE_SIGTERM: '1' })
  await until(() => pod.ready, 'ready')
  pod.delete()
  t.equal(pod.terminating, true)
  t.equal(pod.ready, true, 'readiness is left as it was; the Service drops terminating pods itself')
  await pod.gone
  const order = events.map((e) => e.kind).filter((k) => ['deleted', 'prestop-done', 'sigterm', 'sigkill', 'exited', 'terminated'].includes(k))
  t.same(order, ['deleted', 'prestop-done', 'sigterm', 'sigkill', 'exited', 'terminated'])
  const at = (kind: PodEvent['kind']): number => kinds(kind)[0]!.at
  t.ok(at('prestop-done') - at('deleted') >= 299, 'preStop slept 0.3 s')
  t.ok(at('sigkill') - at('deleted') >= 999, 'SIGKILL no earlier than the grace period, counted from deletion')
  t.match(kinds('exited')[0]?.detail, 'signal SIGKILL')
  t.match(pod.output.join('\n'), /fixture: SIGTERM at/, 'the app saw SIGTERM')
  await finish()
})

test('R6: a preStop longer than the grace period still leaves 2 s after it', async (t) => {
  const { pod, until, kinds, finish } = await startPod(t, { preStop: 5, grace: 0.2 }, { IGNORE_SIGTERM: '1' })
  await until(() => pod.ready, 'ready')
  pod.delete()
  await pod.gone
  const at = (kind: PodEvent['kind']): number => kinds(kind)[0]!.at
  t.ok(at('prestop-done') - at('deleted') < 4000, 'preStop cut at the grace period')
  t.ok(at('sigkill') - at('sigterm') >= 1999, 'at least 2 s between SIGTERM and SIGKILL')
  await finish()
})

test('R6: an app that drains exits on its own; no SIGKILL', async (t) => {
  const { pod, until, kinds, finish } = await startPod(t, { preStop: 0, grace: 5 }, { GRACEFUL: '1', ZERODOWN_DRAIN_DELAY_MS: '100' })
  await until(() => pod.ready, 'ready')
  pod.delete()
  await pod.gone
  t.equal(kinds('sigkill').length, 0)
  t.match(kinds('exited')[0]?.detail, 'code 0')
  t.equal(kinds('prestop-done').length, 0, 'no preStop configured')
  await finish()
})

async function backend (t: Test, name: string): Promise<{ port: number, server: Server }> {
  const server = createHttpServer((_req, res) => res.end(name))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { server.closeAllConnections(); server.close() })
  const address = server.address()
  return { port: typeof address === 'object' && address !== null ? address.port : 0, server }
}

/** One HTTP/1.1 keep-alive connection, by hand, so the test sees exactly which socket goes where. */
function keepAlive (port: number) {
  const socket = connect({ host: '127.0.0.1', port })
  let data = ''
  socket.on('data', (chunk) => { data += chunk })
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()))
  socket.on('error', () => {})
  return {
    closed,
    async get (): Promise<string> {
      data = ''
      socket.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n')
      while (!/\r\n\r\n[ab]$/.test(data)) {
        if (socket.destroyed) throw new Error('connection closed')
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
      return data.at(-1)!
    },
    end: () => socket.destroy()
  }
}

test('R6, R7: new connections follow the endpoints after the delay; open ones stay pinned', async (t) => {
  const a = await backend(t, 'a')
  const b = await backend(t, 'b')
  const service = new Service({ clock: createClock(), addDelayMs: 300, removeDelayMs: 300 })
  await service.listen()
  t.teardown(() => service.close())

  service.publish([{ pod: 'a', port: a.port }])
  const early = keepAlive(service.port)
  await t.rejects(early.get(), /connection closed/, 'before the delay the Service knows no endpoint')
  t.equal(service.connections.at(-1)?.outcome, 'refused', 'recorded as refused, safe to retry')

  await new Promise((resolve) => setTimeout(resolve, 400))
  const pinned = keepAlive(service.port)
  t.equal(await pinned.get(), 'a')

  service.publish([{ pod: 'b', port: b.port }])
  const stillA = keepAlive(service.port)
  t.equal(await stillA.get(), 'a', 'within the delay new connections still go to the old endpoint')
  await new Promise((resolve) => setTimeout(resolve, 400))
  const fresh = keepAlive(service.port)
  t.equal(await fresh.get(), 'b', 'after the delay new connections go to the new endpoint')
  t.equal(await pinned.get(), 'a', 'the open connection stays on its pod (R7)')
  t.equal(await pinned.get(), 'a')
  for (const c of [pinned, stillA, fresh]) c.end()

  // A pod that is gone refuses: the client sees its connection closed, the Service records a refusal.
  service.publish([{ pod: 'gone', port: await freePort() }])
  await new Promise((resolve) => setTimeout(resolve, 400))
  const refused = keepAlive(service.port)
  await t.rejects(refused.get(), /connection closed/)
  t.match(service.connections.at(-1), { pod: 'gone', outcome: 'refused' })
})
