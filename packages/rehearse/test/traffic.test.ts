// The traffic path: endpoint delays, each proxy against a misconfigured manifest, and the client models.
import { createServer, type Server } from 'node:http'
import { test, type Test } from 'tap'
import { parseManifest, rehearse, type RehearseOptions } from '../src/index.js'
import { EndpointTable } from '../src/endpoints.js'
import { startLoad, type ResolvedLoad } from '../src/load.js'
import { IngressProxy } from '../src/proxy-ingress.js'
import { Service } from '../src/service.js'
import { createClock } from '../src/timeline.js'
import { alivePids, FIXTURE, manifest, type ManifestTimings } from './fixtures/helpers.js'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

const fast = (dir: string, timings: ManifestTimings, extra: Partial<RehearseOptions> = {}): RehearseOptions => ({
  deployment: parseManifest(manifest(timings)),
  command: ['node', FIXTURE],
  env: { PID_DIR: dir },
  propagationDelayMs: 500,
  warmupMs: 300,
  tailMs: 300,
  restartBackoffMs: 200,
  load: { rate: 100, connections: 4, slowShare: 0.2, slowPath: '/work?ms=200' },
  ...extra
})

/** A real HTTP server on 127.0.0.1 that answers its name after `ms`, counting the connections it accepted. */
async function backend (t: Test, name: string, ms = 0): Promise<{ port: number, connections: () => number, server: Server }> {
  let connections = 0
  const server = createServer((req, res) => { setTimeout(() => res.end(name), ms) })
  server.on('connection', () => connections++)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { server.closeAllConnections(); server.close() })
  const address = server.address()
  return { port: typeof address === 'object' && address !== null ? address.port : 0, connections: () => connections, server }
}

const load = (o: Partial<ResolvedLoad>): ResolvedLoad => ({
  rate: 20, connections: 1, model: 'open', burstMs: 0, retries: 0, timeoutMs: 10_000, requests: [{ method: 'GET', path: '/', headers: {}, weight: 1 }], ...o
})

test('an endpoint is added after addDelayMs and removed after removeDelayMs; a later change replaces one on its way', async (t) => {
  const seen: string[][] = []
  const table = new EndpointTable({ addDelayMs: 300, removeDelayMs: 50 }, (current) => seen.push(current.map((e) => e.pod)))
  t.teardown(() => table.close())
  table.publish([{ pod: 'a', port: 1 }])
  await sleep(150)
  t.same(table.current, [], 'not added yet')
  await sleep(250)
  t.same(table.current.map((e) => e.pod), ['a'], 'added after 300 ms')
  table.publish([{ pod: 'b', port: 2 }])
  await sleep(120)
  t.same(table.current.map((e) => e.pod), [], 'a left after 50 ms, b not there yet: the asymmetry that drops requests')
  table.publish([{ pod: 'a', port: 1 }, { pod: 'b', port: 2 }])
  table.publish([{ pod: 'b', port: 2 }])
  await sleep(350)
  t.same(table.current.map((e) => e.pod), ['b'], 'a flapped in and out: its pending addition was replaced by the removal')
  t.same(seen, [['a'], [], ['b']])
})

test('ingress: per-request balancing, its own delays, retries of refused connections, 503 with no endpoint', async (t) => {
  const a = await backend(t, 'a')
  const b = await backend(t, 'b')
  const ingress = new IngressProxy({ addDelayMs: 200, removeDelayMs: 200 })
  await ingress.listen()
  t.teardown(() => ingress.close())
  const get = async (method = 'GET'): Promise<[number, string, string | null, string | null]> => {
    const res = await fetch(`http://127.0.0.1:${ingress.port}/`, { method, ...(method === 'POST' && { body: 'x' }) })
    return [res.status, await res.text(), res.headers.get('x-zerodown-pod'), res.headers.get('x-zerodown-tries')]
  }
  t.equal((await get())[0], 503, 'no endpoint yet: 503')
  ingress.publish([{ pod: 'a', port: a.port }, { pod: 'b', port: b.port }])
  t.equal((await get())[0], 503, 'still within the addition delay')
  await sleep(300)
  const bodies = new Set([(await get())[1], (await get())[1], (await get())[1], (await get())[1]])
  t.same([...bodies].sort(), ['a', 'b'], 'each request balanced, over the same client connection')
  // b stops listening but the ingress still routes to it: refused connections go to a, for POST too (not sent yet).
  b.server.closeAllConnections()
  b.server.close()
  for (let i = 0; i < 4; i++) t.match(await get(i % 2 === 0 ? 'GET' : 'POST'), [200, 'a', 'a'], 'retried on a')
  t.ok((await Promise.all([get(), get()])).some(([, , , tries]) => tries === '2'), 'a request that went to b first was tried twice')
  ingress.publish([{ pod: 'a', port: a.port }])
  await sleep(300)
  t.same(await get(), [200, 'a', 'a', '1'], 'b removed after its delay: no retry needed')
  a.server.closeAllConnections()
  a.server.close()
  t.same(await get(), [502, 'upstream error\n', 'a', '1'], 'the only endpoint refuses: 502')
})

for (const proxy of ['kube-proxy', 'ingress', 'nginx'] as const) {
  test(`--proxy ${proxy}: preStop 0 and drain 0 fail the rehearsal`, async (t) => {
    const dir = t.testdir()
    const result = await rehearse(fast(dir, { preStop: 0, env: { GRACEFUL: '1', ZERODOWN_DRAIN_DELAY_MS: '0' } }, { proxy }))
    t.equal(result.outcome, 'complete')
    t.equal(result.traffic.proxy, proxy)
    t.comment(`${proxy}: ${result.totals.failed} failed ${JSON.stringify(result.failures)}, ${result.traffic.proxyRetried} retried by the proxy`)
    if (proxy === 'kube-proxy') {
      // Pinned connections: it fails only when a client happens to open a connection within the delay.
      t.equal(result.traffic.proxyRetried, 0)
    } else {
      // Per-request balancing sends requests to every pod it still knows: each deleted pod refuses some.
      t.ok(result.traffic.proxyRetried > 0, 'the proxy had to retry requests routed to pods that had stopped listening')
      t.equal(result.ok, false)
    }
    t.same(alivePids(dir), [], 'no process left')
  })
}
