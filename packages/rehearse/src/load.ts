// Steady traffic over keep-alive connections, the way a proxy's connection pool sends it, recording
// every request: when, how it ended, how long it took, and which version answered.
import { Agent, buildConnector, request } from 'undici'
import type { Service } from './service.js'
import type { Clock } from './timeline.js'

export type Outcome = 'ok' | 'status' | 'reset' | 'refused' | 'timeout'

export interface RequestRecord {
  /** Sent and ended, in ms on the rehearsal's clock. */
  at: number
  end: number
  path: string
  slow: boolean
  outcome: Outcome
  status?: number
  /** The `x-app-version` that answered. */
  version?: string
  /** The error code when no response arrived. */
  error?: string
}

export interface LoadOptions {
  /** Requests per second in total. Default 100. */
  rate?: number
  /** Keep-alive connections. Default 8. */
  connections?: number
  /** Path of a fast request. Default `/`. */
  fastPath?: string
  /** Path of a slow request. Default `/work?ms=300`. */
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
  slowPath: '/work?ms=300',
  slowShare: 0.1,
  timeoutMs: 10_000
} as const

export interface Load {
  readonly records: RequestRecord[]
  /** Stops sending, waits for the requests in flight, closes the connections. */
  stop (): Promise<void>
}

const TIMEOUTS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT'])

export function startLoad (service: Service, clock: Clock, opts: LoadOptions = {}): Load {
  const o = { ...LOAD_DEFAULTS, ...opts }
  const records: RequestRecord[] = []
  const state = { running: true }
  const interval = (1000 * o.connections) / o.rate
  const origin = `http://127.0.0.1:${service.port}`
  let sent = 0
  const isSlow = (n: number): boolean => Math.floor((n + 1) * o.slowShare) > Math.floor(n * o.slowShare)
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
        const slow = isSlow(sent++)
        const path = slow ? o.slowPath : o.fastPath
        const at = clock.now()
        try {
          const res = await request(origin + path, { dispatcher, headersTimeout: o.timeoutMs, bodyTimeout: o.timeoutMs })
          await res.body.dump()
          const version = res.headers['x-app-version']
          records.push({
            at,
            end: clock.now(),
            path,
            slow,
            outcome: res.statusCode >= 500 ? 'status' : 'ok',
            status: res.statusCode,
            ...(version !== undefined && { version: String(version) })
          })
        } catch (err) {
          const e = err as { code?: string, cause?: { code?: string } }
          const code = e.code ?? e.cause?.code ?? String(err)
          const refused = code === 'ECONNREFUSED' || service.connectionFrom(connection.localPort)?.outcome === 'refused'
          records.push({ at, end: clock.now(), path, slow, outcome: TIMEOUTS.has(code) ? 'timeout' : refused ? 'refused' : 'reset', error: code })
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
