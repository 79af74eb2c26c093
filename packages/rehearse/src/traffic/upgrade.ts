// The ingress model's upgrades (WebSocket), as nginx proxies them: the request goes to one endpoint
// over a connection of its own (never a pooled one); a connection error passes it to the next, at
// most `tries` endpoints in all (a GET, idempotent); a 101 joins the client to that pod's socket
// until either side closes; any other answer is passed on and the connection closed. With no
// endpoint it answers 503, when every try failed 502.
import { request, type IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import { POD_HEADER, TRIES_HEADER, type Endpoint } from './endpoints.js'

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length'])

function head (status: number, message: string, headers: Array<[string, string]>): string {
  return `HTTP/1.1 ${status} ${message}\r\n${headers.map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n`
}

const pairs = (raw: string[]): Array<[string, string]> => {
  const out: Array<[string, string]> = []
  for (let i = 0; i < raw.length; i += 2) out.push([raw[i]!, raw[i + 1]!])
  return out
}

/** Forwards an upgrade request; `pick` chooses an endpoint not in `tried`, or none. */
export function forwardUpgrade (req: IncomingMessage, client: Socket, clientHead: Buffer, pick: (tried: Set<string>) => Endpoint | undefined, tries: number): void {
  client.on('error', () => {})
  const tried = new Set<string>()
  const answer = (status: number, message: string, body: string, extra: Array<[string, string]> = []): void => {
    client.end(head(status, message, [['content-type', 'text/plain'], ['content-length', String(Buffer.byteLength(body))], ['connection', 'close'], [TRIES_HEADER, String(tried.size)], ...extra]) + body)
  }
  const attempt = (): void => {
    const endpoint = tried.size < tries ? pick(tried) : undefined
    if (endpoint === undefined) {
      if (tried.size === 0) answer(503, 'Service Unavailable', 'no endpoint is ready\n')
      else answer(502, 'Bad Gateway', 'upstream error\n')
      return
    }
    tried.add(endpoint.pod)
    const pod: Array<[string, string]> = [[POD_HEADER, endpoint.pod], [TRIES_HEADER, String(tried.size)]]
    const upstream = request({ host: '127.0.0.1', port: endpoint.port, method: req.method, path: req.url, headers: req.headers, agent: false })
    // A client that leaves before the pod answers takes the pod's connection with it, as in nginx:
    // the pod never holds an upgraded connection that nobody reads.
    const abandon = (): void => { upstream.destroy(); client.destroy() }
    client.once('end', abandon).once('close', abandon)
    upstream.once('close', () => client.off('end', abandon).off('close', abandon))
    upstream.on('upgrade', (res: IncomingMessage, socket: Socket, upstreamHead: Buffer) => {
      socket.on('error', () => client.destroy())
      client.write(head(101, res.statusMessage ?? 'Switching Protocols', [...pairs(res.rawHeaders), ...pod]))
      if (upstreamHead.length > 0) client.write(upstreamHead)
      if (clientHead.length > 0) socket.write(clientHead)
      socket.pipe(client)
      client.pipe(socket)
      // The pod's end (after its close frame, or without one) reaches the client as it happened;
      // a reset resets the client's connection too.
      socket.once('close', (hadError) => { if (hadError) client.destroy() })
      client.once('close', () => socket.destroy())
    })
    upstream.on('response', (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('error', () => client.destroy())
      res.on('end', () => {
        const body = Buffer.concat(chunks)
        const headers = pairs(res.rawHeaders).filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase()))
        client.end(Buffer.concat([Buffer.from(head(res.statusCode ?? 502, res.statusMessage ?? '', [...headers, ['content-length', String(body.length)], ['connection', 'close'], ...pod])), body]))
      })
    })
    upstream.on('error', () => { if (!client.destroyed) attempt() })
    upstream.end()
  }
  attempt()
}
