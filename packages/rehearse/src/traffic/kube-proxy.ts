// The Service path: a plain TCP proxy on one port, as kube-proxy balances connections, not requests.
// A NEW connection goes to a ready, non-terminating endpoint as the proxy saw them after its endpoint
// delays (R6); an open connection stays pinned to its pod until one side closes it (R7).
import { createServer, connect, type Server, type Socket } from 'node:net'
import { EndpointTable, type Attribution, type Endpoint, type EndpointDelays, type TrafficProxy } from './endpoints.js'
import type { Clock } from '../timeline.js'
import { listenOnLoopback } from './loopback.js'

export type { Endpoint } from './endpoints.js'

/**
 * kube-proxy never applies an endpoint change at once (R6): its informer sees the change after the
 * EndpointSlice controller wrote it, then it rewrites its rules. On a real Kubernetes 1.20 (cluster/,
 * FIDELITY.md) a deleted pod's rule was gone 140-400 ms after the deletion, median about 250 ms: no
 * endpoint delay here is shorter. (kube-proxy also limits its syncs to two back to back, then one per
 * --iptables-min-sync-period, 1 s: when endpoints change faster than that, a change can wait longer.)
 */
export const KUBE_PROXY_LATENCY_MS = 250

/**
 * Resets a client's connection, as kube-proxy passes on a pod's reset. Once the connection's end is
 * being written (the pod's FIN passed on, or the client's own), Node.js refuses the reset (EINVAL)
 * and never closes the socket, so the process could never exit: such a connection is closed instead.
 */
export function resetClient (client: Socket): void {
  if (client.writableEnded) client.destroy()
  else client.resetAndDestroy()
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

export interface ServiceOptions extends EndpointDelays {
  clock: Clock
}

export class Service implements TrafficProxy {
  port = 0
  readonly connections: ConnectionRecord[] = []
  private readonly endpoints: EndpointTable
  private next = 0
  private readonly byClientPort = new Map<number, ConnectionRecord>()
  private readonly sockets = new Set<Socket>()
  private readonly server: Server

  constructor (private readonly opts: ServiceOptions) {
    this.endpoints = new EndpointTable(opts, undefined, KUBE_PROXY_LATENCY_MS)
    this.server = createServer((client) => this.onConnection(client))
  }

  async listen (): Promise<number> {
    this.port = await listenOnLoopback(this.server)
    return this.port
  }

  /** The ready, non-terminating endpoints now; the proxy acts on each change after its delay. */
  publish (endpoints: Endpoint[]): void {
    this.endpoints.publish(endpoints)
  }

  /** The endpoints new connections go to now, once the delays and kube-proxy's sync have passed. */
  /** Where the load connects: the proxy's port on this machine's loopback. */
  get origin (): string {
    return `http://127.0.0.1:${this.port}`
  }

  get routing (): Endpoint[] {
    return this.endpoints.current
  }

  /** The record of the latest connection from this client port, to tell a refusal from a reset. */
  connectionFrom (clientPort: number): ConnectionRecord | undefined {
    return this.byClientPort.get(clientPort)
  }

  /** kube-proxy knows connections, not requests: the pod is the one the client's connection went to. */
  attribute (clientPort: number): Attribution {
    const rec = this.byClientPort.get(clientPort)
    return { ...(rec?.pod !== undefined && { pod: rec.pod }), ...(rec?.outcome === 'refused' && { refused: true }) }
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
      resetClient(client)
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
      resetClient(client)
    })
    client.on('error', () => upstream.destroy())
    // Half-closes travel both ways, so a server's FIN (Connection: close) reaches the client as such.
    upstream.on('end', () => client.end())
    client.on('end', () => upstream.end())
  }

  private pick (): Endpoint | undefined {
    const endpoints = this.endpoints.current
    if (endpoints.length === 0) return undefined
    const endpoint = endpoints[this.next % endpoints.length]
    this.next++
    return endpoint
  }

  async close (): Promise<void> {
    this.endpoints.close()
    for (const socket of this.sockets) socket.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}
