// The traffic path: endpoint delays, each proxy against a misconfigured manifest, and the client models.
import { createServer, type Server } from 'node:http'
import { WebSocketServer } from 'ws'
import { test, type Test } from 'tap'
import { parseManifest, rehearse, type RehearseOptions } from '../src/index.js'
import { EndpointTable } from '../src/traffic/endpoints.js'
import { startLoad, type ResolvedLoad } from '../src/load/requests.js'
import type { ResolvedLongLived } from '../src/load/long-lived.js'
import { startLongLived } from '../src/load/long-lived-clients.js'
import { IngressProxy } from '../src/traffic/ingress.js'
import { findNginx } from '../src/traffic/nginx.js'
import { Service } from '../src/traffic/kube-proxy.js'
import { createClock } from '../src/timeline.js'
import { alivePids, FIXTURE, manifest, nginxSkip, scratchDir, type ManifestTimings } from './fixtures/helpers.js'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Publishes the endpoints and waits until new connections go to them: kube-proxy's sync is never at once. */
async function publishAndWait (proxy: Service | IngressProxy, endpoints: Array<{ pod: string, port: number }>): Promise<void> {
  proxy.publish(endpoints)
  if (!(proxy instanceof Service)) return
  for (let waited = 0; proxy.routing.length < endpoints.length; waited += 20) {
    if (waited > 10_000) throw new Error('the endpoints never reached the Service')
    await sleep(20)
  }
}

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
  rate: 20, connections: 1, newConnectionClients: 0, model: 'open', burstMs: 0, retries: 0, timeoutMs: 10_000, requests: [{ method: 'GET', path: '/', headers: {}, weight: 1 }], ...o
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
  const skip = proxy === 'nginx' ? nginxSkip(findNginx) : undefined
  test(`--proxy ${proxy}: preStop 0 and drain 0 fail the rehearsal`, { ...(skip !== undefined && { skip }) }, async (t) => {
    const dir = scratchDir(t)
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

test('open loop: the offered rate is sent on schedule, and latency counts from the intended send time', async (t) => {
  const slow = await backend(t, 'slow', 200)
  const clock = createClock()
  const service = new Service({ clock, addDelayMs: 0, removeDelayMs: 0 })
  await service.listen()
  t.teardown(() => service.close())
  await publishAndWait(service, [{ pod: 'slow', port: slow.port }])
  // 20 req/s over one connection to a server that takes 200 ms: the pool is exhausted, requests queue.
  const open = startLoad(service, clock, load({ rate: 20, connections: 1 }))
  await sleep(1100)
  await open.stop()
  const r = open.records
  t.ok(r.length >= 2 && r.length <= 6, `one connection finishes at most about 5 requests in a second, fewer on a busy machine (${r.length})`)
  r.forEach((rec, i) => t.ok(Math.abs(rec.at - (r[0]!.at + i * 50)) < 5, `request ${i} counted from when it was due (${Math.round(rec.at - r[0]!.at)} ms)`))
  t.ok(r.at(-1)!.end - r.at(-1)!.at > 600, `the last one waited in the client's queue and its latency shows it (${Math.round(r.at(-1)!.end - r.at(-1)!.at)} ms)`)

  const closed = startLoad(service, clock, load({ rate: 20, connections: 1, model: 'closed' }))
  await sleep(1100)
  await closed.stop()
  const c = closed.records
  // On one connection each request is sent only once the one before it ended: nothing waits in a queue.
  t.ok(c.length >= 2 && c.every((rec, i) => i === 0 || rec.at >= c[i - 1]!.end - 1), `a closed loop sends when the last request ended: no queue, the backlog never shows (${c.length})`)
})

test('open loop in bursts: connections stay pooled and idle between bursts; client retries of idempotent requests', async (t) => {
  const a = await backend(t, 'a')
  const clock = createClock()
  const ingress = new IngressProxy({ addDelayMs: 0, removeDelayMs: 0 })
  await ingress.listen()
  t.teardown(() => ingress.close())
  ingress.publish([{ pod: 'a', port: a.port }])
  const bursts = startLoad(ingress, clock, load({ rate: 40, connections: 4, burstMs: 400 }))
  // Until three bursts are in, however slow the machine: a fourth may have begun by then, and is left out.
  for (let waited = 0; waited < 60_000 && bursts.records.length < 48; waited += 50) await sleep(50)
  await bursts.stop()
  const first = Math.min(...bursts.records.map((r) => r.at))
  const perBurst = new Map<number, number>()
  for (const r of bursts.records) perBurst.set(Math.round(r.at - first), (perBurst.get(Math.round(r.at - first)) ?? 0) + 1)
  const starts = [...perBurst.keys()].sort((x, y) => x - y)
  t.same(starts.slice(0, 3), [0, 400, 800], 'bursts counted from the start of each, 400 ms apart')
  t.same(starts.slice(0, 3).map((start) => perBurst.get(start)), [16, 16, 16], 'three bursts of 16 requests')
  t.ok(starts.every((start) => start % 400 === 0), `every request counted from the start of its burst (${starts.join(', ')})`)
  t.ok(bursts.records.every((r) => r.outcome === 'ok' && r.pod === 'a'))
  t.ok(a.connections() >= 1 && a.connections() <= 4, `the ingress kept its upstream connections idle and pooled between bursts: at most one per concurrent request (${a.connections()})`)

  // A Service whose only endpoint refuses: GET is retried (and refused again), POST never is.
  const service = new Service({ clock, addDelayMs: 0, removeDelayMs: 0 })
  await service.listen()
  t.teardown(() => service.close())
  a.server.closeAllConnections()
  a.server.close()
  await publishAndWait(service, [{ pod: 'a', port: a.port }])
  const retrying = startLoad(service, clock, load({
    rate: 20,
    connections: 2,
    retries: 2,
    requests: [{ method: 'GET', path: '/', headers: {}, weight: 1 }, { method: 'POST', path: '/', headers: {}, body: 'x', weight: 1 }]
  }))
  await sleep(300)
  await retrying.stop()
  const gets = retrying.records.filter((r) => r.method === 'GET')
  const posts = retrying.records.filter((r) => r.method === 'POST')
  t.ok(gets.length > 0 && gets.every((r) => r.outcome === 'refused' && r.attempts === 3), 'GET: sent 3 times, then recorded as refused')
  t.ok(posts.length > 0 && posts.every((r) => r.outcome === 'refused' && r.attempts === undefined), 'POST: sent once')
})

/** WebSockets and event streams that ask, fall silent, close oddly, drop, refuse, end cleanly or get cut. */
async function longLivedBackend (t: Test): Promise<number> {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.write('data: 1\n\n')
    if (req.url === '/events/end') setTimeout(() => res.end('retry: 80\n\n'), 100)
    else setTimeout(() => res.destroy(), 100)
  })
  const wss = new WebSocketServer({ noServer: true })
  server.on('upgrade', (req, socket, head) => {
    if (req.url === '/ws/404') return socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n')
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (req.url === '/ws/silent') return
      ws.send('hi')
      setTimeout(() => {
        if (req.url === '/ws/ask') ws.close(1012, 'restart')
        if (req.url === '/ws/bye') ws.close(4000, 'odd')
        if (req.url === '/ws/drop') ws.terminate()
      }, 100)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { for (const ws of wss.clients) ws.terminate(); server.closeAllConnections(); server.close() })
  const address = server.address()
  return typeof address === 'object' && address !== null ? address.port : 0
}

for (const proxy of ['kube-proxy', 'ingress'] as const) {
  test(`long-lived clients through ${proxy}: reconnect when asked, every other ending is a failure`, async (t) => {
    const port = await longLivedBackend(t)
    const clock = createClock()
    const via = proxy === 'ingress' ? new IngressProxy({ addDelayMs: 0, removeDelayMs: 0 }) : new Service({ clock, addDelayMs: 0, removeDelayMs: 0 })
    await via.listen()
    t.teardown(() => via.close())
    await publishAndWait(via, [{ pod: 'p', port }])
    // Windows with room to spare: on a busy machine a reconnect's first message can take a few hundred ms.
    const entry = (kind: 'websocket' | 'sse', path: string): ResolvedLongLived => ({ kind, path, clients: 1, headers: {}, messageWithinMs: 600, maxRetryMs: 1000 })
    const paths = ['/ws/ask', '/ws/silent', '/ws/bye', '/ws/drop', '/ws/404', '/events/end', '/events/cut']
    const load = startLongLived(via, clock, paths.map((path) => entry(path.startsWith('/ws') ? 'websocket' : 'sse', path)))
    await sleep(1500)
    await load.stop()
    const of = (path: string): typeof load.records => load.records.filter((r) => r.path === path)
    const ask = of('/ws/ask')
    t.ok(ask.filter((r) => r.outcome === 'asked' && r.code === 1012).length >= 2, 'closed with 1012: asked, more than once')
    t.ok(ask.some((r) => r.reconnect && r.messages > 0), 'and reconnected at once, getting messages again')
    // The connection still open when the load stops may be young or, on a busy machine, still waiting
    // for its first message: only the ones that ended by the server's request are judged here.
    const asked = ask.filter((r) => r.outcome === 'asked')
    t.ok(asked.every((r) => r.pod === 'p' && r.silent === undefined), `each asked connection names its pod and had its messages: ${JSON.stringify(asked.map((r) => [r.pod, r.silent]))}`)
    t.match(of('/ws/silent'), [{ outcome: 'stopped', messages: 0, silent: true }], 'no message within 600 ms: silent')
    t.match(of('/ws/bye')[0], { outcome: 'close-code', code: 4000 }, 'a close code that does not ask to reconnect')
    t.match(of('/ws/drop')[0], { outcome: 'abnormal', code: 1006 }, 'no close frame: abnormal')
    t.match(of('/ws/404')[0], { outcome: 'connect-failed', status: 404 }, 'answered 404 instead of 101')
    t.ok(of('/ws/404').length >= 2, 'a failed connect is tried again')
    const end = of('/events/end')
    t.ok(end.length >= 2 && end[0]!.outcome === 'asked' && end[0]!.messages === 1 && end[1]!.reconnect, 'a clean end of stream: asked, then reconnected')
    const waited = end[1]!.at - end[0]!.end
    t.ok(waited >= 75 && waited < 1000, `after the server's retry: 80 hint (${Math.round(waited)} ms)`)
    t.match(of('/events/cut')[0], { outcome: 'cut', messages: 1 }, 'a stream cut before its end')
  })
}
