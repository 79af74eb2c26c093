// A client that goes away takes the pod's connection with it, through the ingress model as through
// nginx (proxy_ignore_client_abort off): an upgrade the pod has not answered yet, and an event
// stream in the middle. Otherwise the pod holds a connection nobody reads until it shuts down.
import { EventEmitter, once } from 'node:events'
import { createServer, request, type ServerResponse } from 'node:http'
import { connect, type Socket } from 'node:net'
import { test, type Test } from 'tap'
import type { TrafficProxy } from '../src/traffic/endpoints.js'
import { IngressProxy } from '../src/traffic/ingress.js'
import { findNginx, NginxProxy } from '../src/traffic/nginx.js'
import { nginxSkip, within } from './fixtures/helpers.js'

type Kind = 'event stream' | 'upgrade'

/**
 * A pod that opens an event stream on GET and never answers an upgrade, reading both until the peer
 * leaves. It tells of each connection of either kind opening and closing.
 */
async function pod (t: Test): Promise<{ port: number, open: () => number, next: (event: 'open' | 'close', kind: Kind) => Promise<void> }> {
  const open = new Set<Socket | ServerResponse>()
  const events = new EventEmitter()
  const track = (kind: Kind, it: Socket | ServerResponse): void => {
    open.add(it)
    events.emit(`open ${kind}`)
    it.once('close', () => { open.delete(it); events.emit(`close ${kind}`) })
  }
  const server = createServer((_req, res) => {
    track('event stream', res)
    res.writeHead(200, { 'content-type': 'text/event-stream' })
    res.write('data: 1\n\n')
  })
  server.on('upgrade', (_req, socket: Socket) => {
    track('upgrade', socket)
    socket.on('error', () => {})
    socket.on('end', () => socket.destroy())
    socket.resume()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { for (const it of open) it.destroy(); server.closeAllConnections(); server.close() })
  const address = server.address()
  return {
    port: typeof address === 'object' && address !== null ? address.port : 0,
    open: () => open.size,
    next: async (event, kind) => { await once(events, `${event} ${kind}`) }
  }
}

const proxies: Array<[string, () => TrafficProxy, string | undefined]> = [
  ['ingress', () => new IngressProxy({ addDelayMs: 0, removeDelayMs: 0 }), undefined],
  ['nginx', () => new NginxProxy(findNginx()!, { addDelayMs: 0, removeDelayMs: 0 }), nginxSkip(findNginx)]
]

for (const [name, make, skip] of proxies) {
  test(`${name}: a client that goes away takes the pod's connection with it`, { ...(skip !== undefined && { skip }) }, async (t) => {
    const p = await pod(t)
    const proxy = make()
    await proxy.listen()
    t.teardown(() => proxy.close())
    proxy.publish([{ pod: 'p', port: p.port }])
    // The clients below try again while nginx reloads; a test that failed on a deadline stops them.
    let over = false
    t.teardown(() => { over = true })
    const again = (fn: () => void): void => { if (!over) setTimeout(fn, 50) }

    // An event stream: the client reads the first event and leaves.
    const streamClosed = p.next('close', 'event stream')
    const first = await within(new Promise<string>((resolve, reject) => {
      const attempt = (): void => {
        const req = request({ host: '127.0.0.1', port: proxy.port, path: '/', agent: false }, (res) => {
          if (res.statusCode !== 200) { res.resume(); again(attempt); return } // nginx still reloading
          res.once('data', (chunk: Buffer) => { req.destroy(); resolve(chunk.toString()) })
        })
        req.on('error', reject)
        req.end()
      }
      attempt()
    }), 5000, 'the first event through the proxy')
    t.equal(first, 'data: 1\n\n', 'the stream reached the client')
    await within(streamClosed, 5000, 'the pod\'s stream closing after its client left')
    t.equal(p.open(), 0, 'the pod serves no stream for a client that is gone')

    // An upgrade the pod never answers: the client gives up and leaves.
    const upgradeOpened = p.next('open', 'upgrade')
    let client!: Socket
    const send = (): void => {
      client = connect(proxy.port, '127.0.0.1')
      client.on('error', () => {})
      client.once('data', () => { client.destroy(); again(send) }) // answered: nginx's old worker, still reloading
      client.write('GET /ws HTTP/1.1\r\nhost: pod\r\nupgrade: websocket\r\nconnection: upgrade\r\nsec-websocket-version: 13\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n')
    }
    send()
    await within(upgradeOpened, 5000, 'the upgrade reaching the pod')
    const upgradeClosed = p.next('close', 'upgrade')
    client.end()
    await within(upgradeClosed, 5000, 'the pod\'s upgrade connection closing after its client left')
    t.equal(p.open(), 0, 'the pod holds no upgrade for a client that is gone, before the proxy closes')
  })
}
