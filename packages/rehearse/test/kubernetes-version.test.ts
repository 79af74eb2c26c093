// What the rehearsal takes from the target Kubernetes and from kube-proxy itself: a change that is
// never applied at once (measured against a real 1.20, FIDELITY.md), the terminating-endpoint fallback of
// 1.26, the preStop sleep action of 1.30; and the load's clients that open a new connection per request.
import { createServer } from 'node:http'
import { test } from 'tap'
import { formatSummary, parseManifest, rehearse } from '../src/index.js'
import { endpointSlice, routable } from '../src/cluster/endpoint-slice.js'
import { startLoad, type ResolvedLoad } from '../src/load/requests.js'
import { resolveOptions } from '../src/options.js'
import { KUBE_PROXY_LATENCY_MS, Service } from '../src/traffic/kube-proxy.js'
import { createClock } from '../src/timeline.js'
import type { Pod } from '../src/kubelet/pod.js'
import { FIXTURE, manifest } from './fixtures/helpers.js'

test('the Service never applies an endpoint change at once: not even with delays of 0', async (t) => {
  const server = createServer((_req, res) => res.end('ok'))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => server.close())
  const port = (server.address() as { port: number }).port
  const clock = createClock()
  const service = new Service({ clock, addDelayMs: 0, removeDelayMs: 0 })
  await service.listen()
  t.teardown(() => service.close())
  const published = clock.now()
  service.publish([{ pod: 'a', port }])
  t.same(service.routing, [], 'not routed yet right after the change')
  while (service.routing.length === 0) await new Promise((resolve) => setTimeout(resolve, 10))
  t.ok(clock.now() - published >= KUBE_PROXY_LATENCY_MS - 5, `routed ${Math.round(clock.now() - published)} ms after the change, not before kube-proxy's latency`)
})

test('kube-proxy\'s fallback to serving terminating endpoints exists from 1.26 only', async (t) => {
  const pod = { name: 'p', port: 1, running: true, ready: true, terminating: true } as unknown as Pod
  t.same(routable(endpointSlice([pod])).map((e) => e.pod), ['p'], 'current: the serving terminating endpoint takes new connections')
  t.same(routable(endpointSlice([pod]), false), [], 'before 1.26: no ready endpoint, no route')
})

test('--kube-version: read as deploy reads it; a preStop sleep action is refused before 1.30', async (t) => {
  const options = (kubeVersion: string | undefined, preStop?: number): ReturnType<typeof resolveOptions> =>
    resolveOptions({ deployment: parseManifest(manifest(preStop === undefined ? { preStopExec: ['sleep', '1'] } : { preStop })), command: ['node', FIXTURE], ...(kubeVersion !== undefined && { kubeVersion }) })
  t.same(options('v1.20.2').kube, { major: 1, minor: 20 })
  t.equal(options(undefined).kube, undefined, 'the current Kubernetes by default')
  t.throws(() => options('1.19'), { code: 'FST_ZERODOWN_REHEARSE_INVALID_OPTION', message: /kubeVersion.*1\.20 or later.*"1\.19"/ })
  t.throws(() => options('newest'), { message: /option "kubeVersion": expected a Kubernetes version like 1\.30 or v1\.20\.2, 1\.20 or later, got "newest"/ })
  t.throws(() => options('1.29', 1), { message: /Kubernetes 1\.30 or later for the manifest's preStop sleep action \(Kubernetes 1\.29 lacks it: render with zerodown-deploy --kube-version 1\.29/ })
  t.equal(options('1.30', 1).kube?.minor, 30)
  t.equal(options('1.29', 0).kube?.minor, 29, 'no hook, nothing to lack')
})

test('new-connection clients: each request on a connection of its own, beside the keep-alive ones', async (t) => {
  const server = createServer((_req, res) => res.end('ok'))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const sockets = new Set<unknown>()
  server.on('connection', (socket) => sockets.add(socket))
  t.teardown(() => { server.closeAllConnections(); server.close() })
  const clock = createClock()
  const service = new Service({ clock, addDelayMs: 0, removeDelayMs: 0 })
  await service.listen()
  t.teardown(() => service.close())
  service.publish([{ pod: 'a', port: (server.address() as { port: number }).port }])
  while (service.routing.length === 0) await new Promise((resolve) => setTimeout(resolve, 10))
  const load: ResolvedLoad = { rate: 40, connections: 1, newConnectionClients: 2, model: 'closed', burstMs: 0, retries: 0, timeoutMs: 10_000, requests: [{ method: 'GET', path: '/', headers: {}, weight: 1 }] }
  const running = startLoad(service, clock, load)
  await new Promise((resolve) => setTimeout(resolve, 1000))
  await running.stop()
  const sent = running.records.length
  t.ok(sent >= 20, `the three clients share the rate (${sent} in a second)`)
  t.ok(running.records.every((r) => r.outcome === 'ok'))
  // The keep-alive client holds 1 connection; each new-connection request opens one more.
  const expected = 1 + Math.floor(sent * 2 / 3)
  t.ok(sockets.size >= expected - 2 && sockets.size <= sent, `one connection per request of the new-connection clients (${sockets.size} connections for ${sent} requests)`)
  t.throws(() => resolveOptions({ command: ['node', FIXTURE], load: { model: 'open', newConnectionClients: 2 } }), { message: /"load\.newConnectionClients": expected new-connection clients with the closed loop only/ })
  t.throws(() => resolveOptions({ command: ['node', FIXTURE], load: { newConnectionClients: -1 } }), { message: /"load\.newConnectionClients": expected an integer from 0 to 256, got number -1/ })
})

test('a rehearsal of Kubernetes 1.20 says so, and counts the new-connection clients', async (t) => {
  const result = await rehearse({
    deployment: parseManifest(manifest({ preStopExec: ['sleep', '0.5'], env: { GRACEFUL: '1', ZERODOWN_DRAIN_DELAY_MS: '500' }, propagationSeconds: 0.3 })),
    command: ['node', FIXTURE],
    kubeVersion: '1.20',
    warmupMs: 300,
    tailMs: 300,
    load: { rate: 60, connections: 2, newConnectionClients: 2 }
  })
  t.equal(result.kubernetes, '1.20')
  t.equal(result.traffic.client.newConnectionClients, 2)
  const summary = formatSummary(result)
  t.match(summary, /PID 1: [^\n]*, Kubernetes 1\.20\n/)
  t.match(summary, /closed loop, 2 connections \+ 2 clients opening a new connection per request, 60 req\/s/)
  t.equal(result.outcome, 'complete', result.stuck?.reason ?? 'not stuck')
})
