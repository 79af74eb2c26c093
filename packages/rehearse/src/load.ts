// Steady traffic over keep-alive connections, the way a proxy's connection pool sends it, recording
// every request: when, how it ended, how long it took, which version and which pod answered.
import { Agent, buildConnector, request } from 'undici'
import { isExpected, type LoadRequest, type ResolvedRequest } from './requests.js'
import type { Service } from './service.js'
import type { Clock } from './timeline.js'

export type Outcome = 'ok' | 'status' | 'reset' | 'refused' | 'timeout'

export interface RequestRecord {
  /** Sent and ended, in ms on the rehearsal's clock. */
  at: number
  end: number
  method: string
  path: string
  /** Index of the request in the load's list. */
  request: number
  /** `status`: a status the request does not expect (by default anything but 2xx and 3xx). */
  outcome: Outcome
  status?: number
  /** The `x-app-version` that answered. */
  version?: string
  /** The pod the Service sent its connection to. */
  pod?: string
  /** The error code when no response arrived. */
  error?: string
}

export interface LoadOptions {
  /** Requests per second in total. Default 100. */
  rate?: number
  /** Keep-alive connections. Default 8. */
  connections?: number
  /** The app's own requests (see the load file format); when given, the path shorthands below are not used. */
  requests?: LoadRequest[]
  /** Shorthand: path of a fast GET. Default `/`. */
  fastPath?: string
  /** Shorthand: path of a slow GET, `slowShare` of the load. No default. */
  slowPath?: string
  /** Share of slow requests, from 0 to 1. Default 0.1. */
  slowShare?: number
  /** Give up on a request after this long and record a timeout. Default 10 000 ms. */
  timeoutMs?: number
}

export const LOAD_DEFAULTS = {
  rate: 100,
  connections: 8,
  fastPath: '/',
  slowShare: 0.1,
  timeoutMs: 10_000
} as const

export interface ResolvedLoad {
  rate: number
  connections: number
  timeoutMs: number
  requests: ResolvedRequest[]
}

export interface Load {
  readonly records: RequestRecord[]
  /** Stops sending, waits for the requests in flight, closes the connections. */
  stop (): Promise<void>
}

const TIMEOUTS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT'])

export function startLoad (service: Service, clock: Clock, o: ResolvedLoad): Load {
  const records: RequestRecord[] = []
  const state = { running: true }
  const interval = (1000 * o.connections) / o.rate
  const origin = `http://127.0.0.1:${service.port}`
  // Smooth weighted round robin: each request gets its share, evenly spread, the same in every run.
  const total = o.requests.reduce((sum, r) => sum + r.weight, 0)
  const credit = o.requests.map(() => 0)
  const next = (): number => {
    let best = 0
    for (let i = 0; i < credit.length; i++) {
      credit[i]! += o.requests[i]!.weight
      if (credit[i]! > credit[best]!) best = i
    }
    credit[best]! -= total
    return best
  }
  const sleeping = new Map<NodeJS.Timeout, () => void>()
  const sleep = (ms: number): Promise<void> => new Promise((resolve) => {
    const timer = setTimeout(() => { sleeping.delete(timer); resolve() }, ms)
    sleeping.set(timer, resolve)
  })

  const worker = async (index: number): Promise<void> => {
    const connection = { localPort: 0 }
    const base = buildConnector({})
    // One connection per worker: every request of this worker goes over the socket it last opened.
    const dispatcher = new Agent({
      connections: 1,
      pipelining: 1,
      keepAliveTimeout: 60_000,
      connect: (options, callback) => base(options, (...args) => {
        const socket = args[1]
        if (socket !== null && socket !== undefined) connection.localPort = socket.localPort ?? 0
        callback(...args)
      })
    })
    let due = clock.now() + (interval * index) / o.connections
    try {
      while (state.running) {
        const wait = due - clock.now()
        if (wait > 0) await sleep(wait)
        if (!state.running) break
        due = Math.max(due + interval, clock.now())
        const index = next()
        const req = o.requests[index]!
        const at = clock.now()
        const sentAs = { method: req.method, path: req.path, request: index }
        // The connection this request went over, as the Service recorded it (R7: it stays on one pod).
        const via = (): { pod?: string } => {
          const pod = service.connectionFrom(connection.localPort)?.pod
          return pod === undefined ? {} : { pod }
        }
        try {
          const res = await request(origin + req.path, {
            dispatcher,
            method: req.method as 'GET',
            headers: req.headers,
            ...(req.body !== undefined && { body: req.body }),
            headersTimeout: o.timeoutMs,
            bodyTimeout: o.timeoutMs
          })
          await res.body.dump()
          const version = res.headers['x-app-version']
          records.push({
            at,
            end: clock.now(),
            ...sentAs,
            outcome: isExpected(req, res.statusCode) ? 'ok' : 'status',
            status: res.statusCode,
            ...(version !== undefined && { version: String(version) }),
            ...via()
          })
        } catch (err) {
          const e = err as { code?: string, cause?: { code?: string } }
          const code = e.code ?? e.cause?.code ?? String(err)
          const refused = code === 'ECONNREFUSED' || service.connectionFrom(connection.localPort)?.outcome === 'refused'
          records.push({ at, end: clock.now(), ...sentAs, outcome: TIMEOUTS.has(code) ? 'timeout' : refused ? 'refused' : 'reset', error: code, ...via() })
        }
      }
    } finally {
      await dispatcher.destroy()
    }
  }
  const workers = Array.from({ length: o.connections }, (_, i) => worker(i))

  return {
    records,
    async stop () {
      state.running = false
      for (const [timer, wake] of sleeping) { clearTimeout(timer); wake() }
      sleeping.clear()
      await Promise.all(workers)
    }
  }
}
