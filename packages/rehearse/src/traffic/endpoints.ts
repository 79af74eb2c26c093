// The endpoints a proxy acts on: the ready endpoints the endpoints controller published, each
// addition applied `addDelayMs` later and each removal `removeDelayMs` later, as real consumers
// register new targets more slowly (registration, health checks) than they deregister old ones.

export interface Endpoint {
  pod: string
  port: number
}

export interface EndpointDelays {
  /** How long a new ready endpoint takes to reach the proxy. */
  addDelayMs: number
  /** How long a removed endpoint (deleted or not ready) takes to leave the proxy. */
  removeDelayMs: number
}

export class EndpointTable {
  /** The endpoints the proxy acts on now, in the order they were added. */
  current: Endpoint[] = []
  private published = new Map<string, Endpoint>()
  private readonly pending = new Map<string, NodeJS.Timeout>()

  /** `floorMs`: no change takes effect sooner, whatever the delays say (kube-proxy's own latency). */
  constructor (
    private readonly delays: EndpointDelays,
    private readonly onChange: (endpoints: Endpoint[]) => void = () => {},
    private readonly floorMs = 0
  ) {}

  /** The ready, non-terminating endpoints now; each change reaches `current` after its own delay. */
  publish (endpoints: Endpoint[]): void {
    const next = new Map(endpoints.map((e) => [e.pod, { ...e }]))
    for (const [pod, endpoint] of next) if (!this.published.has(pod)) this.schedule(pod, endpoint, Math.max(this.delays.addDelayMs, this.floorMs))
    for (const pod of this.published.keys()) if (!next.has(pod)) this.schedule(pod, undefined, Math.max(this.delays.removeDelayMs, this.floorMs))
    this.published = next
  }

  /** A later change of the same endpoint replaces one still on its way. */
  private schedule (pod: string, endpoint: Endpoint | undefined, delayMs: number): void {
    clearTimeout(this.pending.get(pod))
    this.pending.delete(pod)
    // Back to what the proxy already acts on before the first change arrived: nothing to apply.
    if (this.current.some((e) => e.pod === pod) === (endpoint !== undefined)) return
    const apply = (): void => {
      this.pending.delete(pod)
      const without = this.current.filter((e) => e.pod !== pod)
      this.current = endpoint === undefined ? without : [...without, endpoint]
      this.onChange(this.current)
    }
    if (delayMs === 0) return apply()
    const timer = setTimeout(apply, delayMs)
    timer.unref()
    this.pending.set(pod, timer)
  }

  close (): void {
    for (const timer of this.pending.values()) clearTimeout(timer)
    this.pending.clear()
  }
}

import type { LoadTarget } from '../load/target.js'

/** What the load learns from a proxy about one request: the pod that answered it, or that it was refused. */
export interface Attribution {
  pod?: string
  refused?: boolean
  /** L7 proxies: how many endpoints the proxy tried for this request (more than 1: it retried). */
  tries?: number
}

/** The traffic path between the load and the pods: kube-proxy, an ingress model or a real nginx. */
export interface TrafficProxy extends LoadTarget {
  readonly port: number
  /** The endpoints it sends new connections or requests to now, its delays passed. */
  readonly routing: Endpoint[]
  listen (): Promise<number>
  publish (endpoints: Endpoint[]): void
  /** Which pod served the request that went over the client's `clientPort`, with these response headers. */
  attribute (clientPort: number, headers?: Record<string, string | string[] | undefined>): Attribution
  close (): Promise<void>
}

export const POD_HEADER = 'x-zerodown-pod'
export const TRIES_HEADER = 'x-zerodown-tries'
