// The kubelet and the Service with real processes and sockets, small times, assertions on counts and order.
import { createServer as createHttpServer, type Server } from 'node:http'
import { connect, createServer } from 'node:net'
import { test, type Test } from 'tap'
import { detectPid1Model, type Pid1Model } from '../src/runtime/process.js'
import { endpointSlice, routable } from '../src/cluster/endpoint-slice.js'
import { Pod, sigkillAt } from '../src/kubelet/pod.js'
import { parseManifest, type DeploymentSpec } from '../src/manifest/manifest.js'
import { podEnv } from '../src/kubelet/pod-env.js'
import { runPreStop } from '../src/kubelet/prestop.js'
import { httpProbe, ProbeResult, ProbeWorker } from '../src/kubelet/probe.js'
import { Service } from '../src/traffic/kube-proxy.js'
import { createClock, type PodEvent } from '../src/timeline.js'
import { alivePids, FIXTURE, manifest, scratchDir, within, type ManifestTimings } from './fixtures/helpers.js'

function freePort (): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0))
    })
  })
}

async function startPod (t: Test, timings: ManifestTimings, env: Record<string, string> = {}, pid1: Pid1Model = 'host') {
  const dir = scratchDir(t)
  const spec: DeploymentSpec = parseManifest(manifest(timings))
  const events: PodEvent[] = []
  const waiters: Array<() => void> = []
  const port = await freePort()
  const pod = new Pod({
    name: 'fx-abc-12345',
    version: '1.0.0',
    port,
    command: [process.execPath, FIXTURE],
    cwd: dir,
    pid1,
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
  return { pod, events, until, kinds, admin, finish, dir }
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
  }, { STARTUP_FAILS: '3' })
  await until(() => pod.ready, 'ready')
  const startupFailures = kinds('probe-failed', /^startup: HTTP 503/)
  t.equal(startupFailures.length, 3, 'the startup probe saw the app\'s three 503s first')
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
  await within(pod.gone, 15_000, 'the deleted pod terminated')
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
  await within(pod.gone, 15_000, 'the deleted pod terminated')
  const at = (kind: PodEvent['kind']): number => kinds(kind)[0]!.at
  t.ok(at('prestop-done') - at('deleted') < 4000, 'preStop cut at the grace period')
  // Node's timers fire on whole milliseconds and the two events are stamped apart: a few ms of slack.
  t.ok(at('sigkill') - at('sigterm') >= 1990, `at least 2 s between SIGTERM and SIGKILL (${Math.round(at('sigkill') - at('sigterm'))} ms)`)
  await finish()
})

test('R6: an app that drains exits on its own; no SIGKILL', async (t) => {
  const { pod, until, kinds, finish } = await startPod(t, { preStop: 0, grace: 5 }, { GRACEFUL: '1', ZERODOWN_DRAIN_DELAY_MS: '100' })
  await until(() => pod.ready, 'ready')
  pod.delete()
  await within(pod.gone, 15_000, 'the deleted pod terminated')
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
      const deadline = Date.now() + 5000
      while (!/\r\n\r\n[ab]$/.test(data)) {
        if (socket.destroyed) throw new Error('connection closed')
        if (Date.now() > deadline) throw new Error(`no response through the Service within 5000 ms (got ${JSON.stringify(data)})`)
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

test('R10: as PID 1 an app without a SIGTERM handler survives SIGTERM until SIGKILL; as a plain process it dies', async (t) => {
  const model = detectPid1Model()
  t.not(model, 'host', `this machine runs containers in a PID namespace (${model})`)
  const pid1 = await startPod(t, { preStop: 0, grace: 1 }, { NO_SIGTERM_HANDLER: '1' }, model)
  await pid1.until(() => pid1.pod.ready, 'ready')
  pid1.pod.delete()
  await within(pid1.pod.gone, 15_000, 'the deleted PID 1 pod terminated')
  const at = (kind: PodEvent['kind']): number => pid1.kinds(kind)[0]!.at
  t.ok(at('sigkill') - at('sigterm') >= 1900, 'SIGTERM was ignored: alive until SIGKILL (grace 1 s, at least 2 s)')
  t.equal(pid1.kinds('exited')[0]?.detail, 'signal SIGKILL')
  t.match(pid1.pod.output.join('\n'), /as 1\b/, 'the app saw itself as pid 1')
  await pid1.finish()

  const plain = await startPod(t, { preStop: 0, grace: 1 }, { NO_SIGTERM_HANDLER: '1' }, 'host')
  await plain.until(() => plain.pod.ready, 'ready')
  plain.pod.delete()
  await within(plain.pod.gone, 15_000, 'the deleted plain-process pod terminated')
  t.equal(plain.kinds('sigkill').length, 0, 'on the host the default action of SIGTERM ends it')
  t.equal(plain.kinds('exited')[0]?.detail, 'signal SIGTERM')
  await plain.finish()
})

test('R9: lifecycle.stopSignal is the signal sent, to PID 1 as to any process', async (t) => {
  const { pod, until, kinds, finish } = await startPod(t, { preStop: 0, grace: 5, stopSignal: 'SIGINT' }, { NO_SIGTERM_HANDLER: '1', GRACEFUL: '1', ZERODOWN_DRAIN_DELAY_MS: '100' }, detectPid1Model())
  await until(() => pod.ready, 'ready')
  pod.delete()
  await within(pod.gone, 15_000, 'the deleted pod terminated')
  t.equal(kinds('sigterm')[0]?.detail, 'SIGINT (lifecycle.stopSignal)')
  t.match(pod.output.join('\n'), /fixture: SIGINT at/)
  t.equal(kinds('sigkill').length, 0, 'it drained on SIGINT')
  t.equal(kinds('exited')[0]?.detail, 'code 0')
  await finish()
})

test('R9: a preStop exec runs in the pod\'s directory and environment; one that fails is FailedPreStopHook, then SIGTERM at once', async (t) => {
  const ok = await startPod(t, { preStopExec: ['sh', '-c', 'echo "hook saw $ZERODOWN_APP_VERSION in $(pwd)"; sleep 0.3'], grace: 5 }, { GRACEFUL: '1', ZERODOWN_DRAIN_DELAY_MS: '100' })
  await ok.until(() => ok.pod.ready, 'ready')
  ok.pod.delete()
  await within(ok.pod.gone, 15_000, 'the pod with a preStop exec terminated')
  t.match(ok.pod.output.join('\n'), `preStop: hook saw 1.0.0 in ${ok.dir}`)
  t.ok(ok.kinds('sigterm')[0]!.at - ok.kinds('deleted')[0]!.at >= 290, 'SIGTERM after the hook ended')
  t.match(ok.kinds('prestop-done')[0]?.detail, /exec \["sh"/)
  await ok.finish()

  for (const [command, why] of [[['sh', '-c', 'echo no curl in this image >&2; exit 7'], /exited with code 7: no curl in this image/], [['sleep-is-not-here', '5'], /cannot start \(ENOENT\)/]] as const) {
    const failing = await startPod(t, { preStopExec: [...command], grace: 5 }, { GRACEFUL: '1', ZERODOWN_DRAIN_DELAY_MS: '100' })
    await failing.until(() => failing.pod.ready, 'ready')
    failing.pod.delete()
    await within(failing.pod.gone, 15_000, 'the pod with a failing preStop exec terminated')
    const failed = failing.kinds('prestop-failed')[0]
    t.match(failed?.detail, /^FailedPreStopHook: /)
    t.match(failed?.detail, why)
    // "At once" against the grace period of 5 s the kubelet would otherwise wait: room for a busy machine.
    t.ok(failing.kinds('sigterm')[0]!.at - failed!.at < 1500, 'SIGTERM at once, not after the grace period')
    t.equal(failing.kinds('exited')[0]?.detail, 'code 0')
    await failing.finish()
  }
})

test('R8: readiness is probed after deletion (liveness is not); one replica, deleted and still serving, takes new connections', async (t) => {
  const { pod, until, kinds, finish } = await startPod(t, { preStop: 0.5, grace: 5 }, { GRACEFUL: '1', ZERODOWN_DRAIN_DELAY_MS: '500' })
  await until(() => pod.ready, 'ready')
  pod.delete()
  t.same(endpointSlice([pod]).map(({ ready, serving, terminating }) => ({ ready, serving, terminating })), [{ ready: false, serving: true, terminating: true }])
  t.same(routable(endpointSlice([pod])).map((e) => e.pod), [pod.name], 'no endpoint is ready: kube-proxy falls back to the serving terminating one')
  // One replica, deleted: a NEW connection through the Service still reaches it while it serves.
  const service = new Service({ clock: createClock(), addDelayMs: 0, removeDelayMs: 0 })
  await service.listen()
  t.teardown(() => service.close())
  service.publish(routable(endpointSlice([pod])))
  // kube-proxy's sync is never at once: the change reaches the Service a moment later.
  await until(() => service.routing.length === 1, 'the endpoint reached the Service')
  const res = await fetch(`http://127.0.0.1:${service.port}/`, { headers: { connection: 'close' } })
  t.equal(res.status, 200, 'served by the terminating pod')
  t.equal(service.connections.at(-1)?.pod, pod.name)
  const probesBefore = kinds('probe-failed', /^readiness/).length
  await until(() => !pod.ready, 'not ready after SIGTERM')
  const notReady = kinds('not-ready')[0]!
  t.ok(notReady.at > kinds('sigterm')[0]!.at, 'readiness flipped after SIGTERM, while deleted')
  t.match(notReady.detail, /HTTP 503/)
  t.same(routable(endpointSlice([pod])), [], 'not serving: no longer routable')
  t.ok(kinds('probe-failed', /^readiness/).length > probesBefore, 'readiness probes after deletion')
  t.equal(kinds('probe-failed', /^liveness/).length, 0)
  await within(pod.gone, 15_000, 'the deleted pod terminated')
  await finish()
})

test('R9: a pod whose liveness fails keeps its endpoint until its container is killed', async (t) => {
  const { pod, until, kinds, admin, finish } = await startPod(t, {
    liveness: '{ httpGet: { path: /livez, port: http }, periodSeconds: 0.1, timeoutSeconds: 0.2, failureThreshold: 2 }',
    preStop: 0,
    grace: 0.5
  }, { IGNORE_SIGTERM: '1' })
  await until(() => pod.ready, 'ready')
  await admin('/admin/livez?delay=5000')
  await until(() => kinds('sigterm').length > 0, 'SIGTERM after the liveness failure')
  t.ok(kinds('restarting').length === 1)
  t.same(routable(endpointSlice([pod])).map((e) => e.pod), [pod.name], 'still a ready endpoint while the container is being killed')
  t.equal(kinds('not-ready').length, 0)
  await until(() => kinds('exited').length > 0, 'killed')
  t.ok(kinds('exited')[0]!.at - kinds('sigterm')[0]!.at >= 1900, 'SIGKILL no sooner than 2 s after preStop (the kubelet\'s minimum)')
  t.same(routable(endpointSlice([pod])), [], 'gone from the endpoints once killed')
  t.ok(kinds('not-ready')[0]!.at >= kinds('sigkill')[0]!.at, 'not ready only once killed')
  await finish()
})

test('kube-proxy: ready endpoints first; serving terminating ones only when none is ready', async (t) => {
  const e = (pod: string, ready: boolean, serving: boolean, terminating: boolean) => ({ pod, port: 1, ready, serving, terminating })
  t.same(routable([e('a', true, true, false), e('b', false, true, true)]).map((x) => x.pod), ['a'])
  t.same(routable([e('a', false, false, false), e('b', false, true, true), e('c', false, false, true)]).map((x) => x.pod), ['b'])
  t.same(routable([e('a', false, false, false)]), [])
})

test('R9 at the limit and one past: SIGKILL at the grace period\'s end, but at least 2 s after the stop signal', async (t) => {
  t.equal(sigkillAt(10_000, 8_000), 10_000, 'exactly 2 s left: the grace period ends it')
  t.equal(sigkillAt(10_001, 8_000), 10_001, '1 ms more than 2 s left: still the grace period')
  t.equal(sigkillAt(9_999, 8_000), 10_000, '1 ms less than 2 s left: 2 s after the signal')
  t.equal(sigkillAt(0, 8_000), 10_000, 'a grace period long over: 2 s after the signal')
})

test('R5 at the limit and one past: threshold - 1 results in a row flip nothing, threshold results flip, both ways', async (t) => {
  for (const threshold of [1, 2, 3, 5]) {
    const failing = new ProbeResult({ successThreshold: 1, failureThreshold: threshold }, true)
    const flips = Array.from({ length: threshold }, () => failing.observe(false))
    t.same(flips, [...Array(threshold - 1).fill(false), true], `failureThreshold ${threshold}: the ${threshold}th failure in a row flips it`)
    const rising = new ProbeResult({ successThreshold: threshold, failureThreshold: 1 }, false)
    t.same(Array.from({ length: threshold }, () => rising.observe(true)), [...Array(threshold - 1).fill(false), true], `successThreshold ${threshold}: the ${threshold}th success in a row flips it`)
  }
  const broken = new ProbeResult({ successThreshold: 1, failureThreshold: 3 }, true)
  t.same([false, false, true, false, false].map((ok) => broken.observe(ok)), [false, false, false, false, false], 'a success between failures starts the count again')
  t.equal(broken.result, true)
})

/** A probe target on 127.0.0.1 answering `status` after `ms`; records when each probe arrived. */
async function probeTarget (t: Test, status: number, ms = 0): Promise<{ port: number, hits: number[] }> {
  const hits: number[] = []
  const server = createHttpServer((_req, res) => { hits.push(performance.now()); setTimeout(() => res.writeHead(status).end(), ms) })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { server.closeAllConnections(); server.close() })
  const address = server.address()
  return { port: typeof address === 'object' && address !== null ? address.port : 0, hits }
}

test('R5: success is a status from 200 to 399; a probe slower than timeoutSeconds is a failure', async (t) => {
  for (const [status, ok] of [[200, true], [399, true], [400, false], [503, false]] as const) {
    const target = await probeTarget(t, status)
    t.same(await httpProbe(target.port, '/', 1000), { ok, detail: `HTTP ${status}` }, `HTTP ${status}`)
  }
  const slow = await probeTarget(t, 200, 300)
  t.same(await httpProbe(slow.port, '/', 100), { ok: false, detail: 'timeout after 100 ms' }, 'answer after 300 ms, timeout 100 ms')
  t.same(await httpProbe(slow.port, '/', 900), { ok: true, detail: 'HTTP 200' }, 'answer after 300 ms, timeout 900 ms')
})

test('R5: the first probe after initialDelaySeconds, then one every periodSeconds', async (t) => {
  const target = await probeTarget(t, 200)
  const spec = parseManifest(manifest({ readiness: '{ httpGet: { path: /readyz, port: http }, initialDelaySeconds: 0.3, periodSeconds: 0.1 }' })).readinessProbe!
  const worker = new ProbeWorker({ kind: 'readiness', spec, port: target.port, gate: () => true, onChange: () => {} })
  const started = performance.now()
  worker.start()
  // Four probes, or 5 s: a busy machine may delay the first one well past 300 ms.
  while (target.hits.length < 4 && performance.now() - started < 5000) await new Promise((resolve) => setTimeout(resolve, 50))
  worker.stop()
  const first = target.hits[0]! - started
  // Not before the delay, and far from a delay read as 300 s or a period of 0.1 s applied at once.
  t.ok(first >= 295 && first < 2000, `first probe after the initial delay of 300 ms (${Math.round(first)} ms)`)
  const gaps = target.hits.slice(1).map((at, i) => Math.round(at - target.hits[i]!))
  t.ok(gaps.length >= 3, `probed again and again (${gaps.length + 1} probes)`)
  // Each tick starts a period after the last one started, so probe k never arrives before 300 + 100k ms.
  // Two arrivals may still be closer than a period (gaps of 73 ms were seen, after a first probe whose
  // new connection was slow), so the floor is the schedule, not a gap.
  const early = target.hits.map((at, k) => Math.round(at - started - (300 + 100 * k))).filter((ms) => ms < -5)
  t.same(early, [], `no probe before its time: the initial delay, then a period each (gaps ${gaps.join(', ')} ms)`)
  // Slower only by the machine's timer delays (a gap of 256 ms was seen on a busy machine, so no bound
  // on one gap): a period read as seconds would allow one probe, not 4.
  const mean = (target.hits.at(-1)! - target.hits[0]!) / gaps.length
  t.ok(mean < 300, `one probe every 100 ms on average (${Math.round(mean)} ms)`)
  t.equal(worker.state.result, true, 'readiness became ready')
})

test('preStop at the limit of the grace period: a sleep that fits runs whole, one that does not is cut', async (t) => {
  const never = new Promise<void>(() => {})
  const opts = { env: {}, containerExited: never, onLine: () => {} }
  t.same(await runPreStop({ sleepSeconds: 0.2 }, { ...opts, timeoutMs: 400 }), { ok: true, detail: 'sleep 0.2 s' })
  const started = performance.now()
  t.same(await runPreStop({ sleepSeconds: 4 }, { ...opts, timeoutMs: 200 }), { ok: true, detail: 'sleep cut at the grace period' })
  // A sleep of 4 s cut at 200 ms: room for a busy machine, and nowhere near the whole sleep.
  t.ok(performance.now() - started < 2000, 'cut when the grace period ran out')
})
