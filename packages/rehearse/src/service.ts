// The Service path: a plain TCP proxy on one port, as kube-proxy balances connections, not requests.
// A NEW connection goes to a ready, non-terminating endpoint as the proxy saw them `delayMs` ago (R6);
// an open connection stays pinned to its pod until one side closes it (R7).
import { createServer, connect, type Server, type Socket } from 'node:net'
import type { Clock } from './timeline.js'

export interface Endpoint {
  pod: string
  port: number
}

/** What happened to one client connection, keyed by the client's port. */
export interface ConnectionRecord {
  at: number
  clientPort: number
  /** Pod it was sent to; absent when no endpoint was ready. */
  pod?: string
  /** `refused`: no ready endpoint, or the pod refused the connection — the client may safely retry. */
  outcome: 'proxied' | 'refused'
}

export interface ServiceOptions {
  clock: Clock
  /** How long endpoint changes take to reach the proxy. Default 2000 ms. */
  delayMs?: number
}

export class Service {
  port = 0
  readonly connections: ConnectionRecord[] = []
  private endpoints: Endpoint[] = []
  private next = 0
  private readonly byClientPort = new Map<number, ConnectionRecord>()
  private readonly sockets = new Set<Socket>()
  private readonly timers = new Set<NodeJS.Timeout>()
  private readonly server: Server
  private readonly delayMs: number

  constructor (private readonly opts: ServiceOptions) {
    this.delayMs = opts.delayMs ?? 2000
    this.server = createServer((client) => this.onConnection(client))
  }

  async listen (): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(0, '127.0.0.1', () => resolve())
    })
    const address = this.server.address()
    this.port = typeof address === 'object' && address !== null ? address.port : 0
    return this.port
  }

  /** The ready, non-terminating endpoints now; the proxy acts on them after the propagation delay. */
  publish (endpoints: Endpoint[]): void {
    const snapshot = endpoints.map((e) => ({ ...e }))
    if (this.delayMs === 0) {
      this.endpoints = snapshot
      return
    }
    const timer = setTimeout(() => { this.timers.delete(timer); this.endpoints = snapshot }, this.delayMs)
    timer.unref()
    this.timers.add(timer)
  }

  /** The record of the latest connection from this client port, to tell a refusal from a reset. */
  connectionFrom (clientPort: number): ConnectionRecord | undefined {
    return this.byClientPort.get(clientPort)
  }

  private record (client: Socket, outcome: ConnectionRecord['outcome'], pod?: string): void {
    const clientPort = client.remotePort ?? 0
    const existing = this.byClientPort.get(clientPort)
    if (existing !== undefined && outcome === 'refused' && existing.outcome === 'proxied' && existing.pod === pod) {
      existing.outcome = 'refused'
      return
    }
    const rec: ConnectionRecord = { at: this.opts.clock.now(), clientPort, outcome, ...(pod !== undefined && { pod }) }
    this.connections.push(rec)
    this.byClientPort.set(clientPort, rec)
  }

  private onConnection (client: Socket): void {
    this.sockets.add(client)
    client.once('close', () => this.sockets.delete(client))
    client.on('error', () => {})
    const endpoint = this.pick()
    if (endpoint === undefined) {
      this.record(client, 'refused')
      client.resetAndDestroy()
      return
    }
    this.record(client, 'proxied', endpoint.pod)
    client.pause()
    const upstream = connect({ host: '127.0.0.1', port: endpoint.port })
    this.sockets.add(upstream)
    upstream.once('close', () => this.sockets.delete(upstream))
    let connected = false
    upstream.once('connect', () => {
      connected = true
      client.pipe(upstream)
      upstream.pipe(client)
      client.resume()
    })
    upstream.on('error', () => {
      // A pod that refuses is what a client would see as a refused connection through kube-proxy.
      if (!connected) this.record(client, 'refused', endpoint.pod)
      client.resetAndDestroy()
    })
    client.on('error', () => upstream.destroy())
    // Half-closes travel both ways, so a server's FIN (Connection: close) reaches the client as such.
    upstream.on('end', () => client.end())
    client.on('end', () => upstream.end())
  }

  private pick (): Endpoint | undefined {
    if (this.endpoints.length === 0) return undefined
    const endpoint = this.endpoints[this.next % this.endpoints.length]
    this.next++
    return endpoint
  }

  async close (): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer)
    for (const socket of this.sockets) socket.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}
