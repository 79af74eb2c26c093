// An L7 model of an ingress or gateway controller (ingress-nginx's defaults): it balances each
// request, not each connection, round robin over the endpoints it knows after its endpoint delays,
// over a pool of idle keep-alive upstream connections. It buffers the request body, and on a
// connection error or a timeout it passes the request to another endpoint, at most 3 tries in all
// (nginx `proxy_next_upstream error timeout`, ingress-nginx `proxy-next-upstream-tries: 3`), but a
// request with a non-idempotent method (POST, LOCK, PATCH) only if it was not sent yet (nginx 1.9.13+).
// When it gives up it answers 502 (an error) or 504 (a timeout); with no endpoint, 503.
// The app's `Connection: close` closes the upstream connection, never the client's. Upgrades
// (WebSocket) go over a connection of their own (upgrade.ts); event streams pass as they come.
import { Agent, createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { EndpointTable, POD_HEADER, TRIES_HEADER, type Attribution, type Endpoint, type EndpointDelays, type TrafficProxy } from './endpoints.js'
import { listenOnLoopback } from './loopback.js'
import { forwardUpgrade } from './upgrade.js'

/** ingress-nginx defaults: proxy-next-upstream-tries 3, proxy-connect-timeout 5 s, proxy-read-timeout 60 s. */
export const INGRESS = { tries: 3, connectTimeoutMs: 5000, readTimeoutMs: 60_000, clientKeepAliveMs: 75_000, upstreamKeepAlive: 32 } as const

const NON_IDEMPOTENT = new Set(['POST', 'LOCK', 'PATCH'])
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer'])

type Attempt = { ok: true, res: IncomingMessage } | { ok: false, sent: boolean, kind: 'error' | 'timeout' }

export class IngressProxy implements TrafficProxy {
  port = 0
  private readonly endpoints: EndpointTable

  /** Where the load connects: the proxy's port on this machine's loopback. */
  get origin (): string {
    return `http://127.0.0.1:${this.port}`
  }

  get routing (): Endpoint[] {
    return this.endpoints.current
  }

  private readonly agents = new Map<string, Agent>()
  private readonly retired = new Set<Agent>()
  private readonly sockets = new Set<Socket>()
  private readonly server: Server
  private next = 0

  constructor (delays: EndpointDelays) {
    this.endpoints = new EndpointTable(delays, (current) => {
      // Like nginx after a reload: the idle connections to an endpoint that left are closed, the
      // requests in flight on it finish, and their connections close after them.
      for (const [pod, agent] of this.agents) {
        if (current.some((e) => e.pod === pod)) continue
        this.agents.delete(pod)
        this.retired.add(agent)
        ;(agent as Agent & { keepAlive: boolean }).keepAlive = false
        for (const sockets of Object.values(agent.freeSockets)) for (const socket of sockets ?? []) socket.destroy()
      }
    })
    this.server = createServer({ keepAliveTimeout: INGRESS.clientKeepAliveMs }, (req, res) => { this.handle(req, res) })
    this.server.on('connection', (socket) => { this.sockets.add(socket); socket.once('close', () => this.sockets.delete(socket)) })
    this.server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => { forwardUpgrade(req, socket, head, (tried) => this.pick(tried), INGRESS.tries) })
  }

  async listen (): Promise<number> {
    this.port = await listenOnLoopback(this.server)
    return this.port
  }

  publish (endpoints: Endpoint[]): void {
    this.endpoints.publish(endpoints)
  }

  attribute (_clientPort: number, headers?: Record<string, string | string[] | undefined>): Attribution {
    const pod = headers?.[POD_HEADER]
    const tries = Number(headers?.[TRIES_HEADER])
    return { ...(typeof pod === 'string' && { pod }), ...(tries > 0 && { tries }) }
  }

  private agent (pod: string): Agent {
    let agent = this.agents.get(pod)
    if (agent === undefined) {
      agent = new Agent({ keepAlive: true, maxFreeSockets: INGRESS.upstreamKeepAlive, scheduling: 'lifo' })
      this.agents.set(pod, agent)
    }
    return agent
  }

  private handle (req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('error', () => {})
    req.on('end', () => { this.forward(req, res, Buffer.concat(chunks)).catch(() => res.destroy()) })
  }

  private async forward (req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const tried = new Set<string>()
    let last: Attempt | undefined
    let lastPod: string | undefined
    while (tried.size < INGRESS.tries) {
      const endpoint = this.pick(tried)
      if (endpoint === undefined) break
      tried.add(endpoint.pod)
      lastPod = endpoint.pod
      last = await this.attempt(endpoint, req, body)
      if (last.ok) {
        const headers: Record<string, string | string[]> = {}
        for (const [name, value] of Object.entries(last.res.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value
        res.writeHead(last.res.statusCode ?? 502, { ...headers, [POD_HEADER]: endpoint.pod, [TRIES_HEADER]: tried.size })
        const upstream = last.res
        upstream.on('error', () => res.destroy())
        // A client that leaves mid-response (an event stream) ends the pod's response too, as nginx does.
        res.once('close', () => { if (!upstream.complete) upstream.destroy() })
        upstream.pipe(res)
        return
      }
      if (last.sent && NON_IDEMPOTENT.has(req.method ?? 'GET')) break
    }
    const status = last === undefined ? 503 : last.ok ? 502 : last.kind === 'timeout' ? 504 : 502
    res.writeHead(status, { 'content-type': 'text/plain', [TRIES_HEADER]: tried.size, ...(lastPod !== undefined && { [POD_HEADER]: lastPod }) })
    res.end(status === 503 ? 'no endpoint is ready\n' : `upstream ${last?.ok === false ? last.kind : 'error'}\n`)
  }

  /** Round robin over the endpoints it knows, skipping the ones this request already tried. */
  private pick (tried: Set<string>): Endpoint | undefined {
    const endpoints = this.endpoints.current.filter((e) => !tried.has(e.pod))
    if (endpoints.length === 0) return undefined
    return endpoints[this.next++ % endpoints.length]
  }

  private attempt (endpoint: Endpoint, req: IncomingMessage, body: Buffer): Promise<Attempt> {
    return new Promise((resolve) => {
      const headers: Record<string, string | string[]> = {}
      for (const [name, value] of Object.entries(req.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value
      headers['content-length'] = String(body.length)
      let sent = false
      let done = false
      const finish = (attempt: Attempt): void => { if (!done) { done = true; clearTimeout(timer); resolve(attempt) } }
      const upstream = request({ host: '127.0.0.1', port: endpoint.port, method: req.method, path: req.url, headers, agent: this.agent(endpoint.pod) })
      let timer = setTimeout(() => { finish({ ok: false, sent, kind: 'timeout' }); upstream.destroy() }, INGRESS.connectTimeoutMs)
      upstream.on('socket', (socket) => {
        const onConnected = (): void => {
          sent = true
          clearTimeout(timer)
          timer = setTimeout(() => { finish({ ok: false, sent, kind: 'timeout' }); upstream.destroy() }, INGRESS.readTimeoutMs)
        }
        if (socket.connecting) socket.once('connect', onConnected)
        else onConnected()
      })
      upstream.on('response', (res) => finish({ ok: true, res }))
      upstream.on('error', () => finish({ ok: false, sent, kind: 'error' }))
      upstream.end(body)
    })
  }

  async close (): Promise<void> {
    this.endpoints.close()
    for (const agent of [...this.agents.values(), ...this.retired]) agent.destroy()
    for (const socket of this.sockets) socket.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}
