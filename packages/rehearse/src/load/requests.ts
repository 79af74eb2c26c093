// Steady traffic over keep-alive connections, recording every request: when, how it ended, how long
// it took, which version and which pod answered. Two client models: a closed loop (each connection
// sends its next request when the last one ended, catching up when late) and an open loop (the
// offered rate is sent on schedule, late or not, over a pool of keep-alive connections).
import { Agent, buildConnector, request, type Dispatcher } from 'undici'
import type { LoadTarget } from './target.js'
import type { LongLivedClients, ResolvedLongLived } from './long-lived.js'
import { isExpected, type LoadRequest, type ResolvedRequest } from './load-file.js'
import type { Clock } from '../timeline.js'

export type Outcome = 'ok' | 'status' | 'reset' | 'refused' | 'timeout'

export interface RequestRecord {
  /** Sent and ended, in ms on the rehearsal's clock. */
  at: number
  end: number
  method: string
  path: string
  /** The entry's name, when the load file gives one. */
  name?: string
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
  /** Sends of this request when the client retried it (`retries`). */
  attempts?: number
  /** Endpoints an L7 proxy tried for it, when more than one: it retried after a connection error. */
  proxyTries?: number
}

export interface LoadOptions {
  /** Requests per second in total. Default 100. */
  rate?: number
  /** Keep-alive connections (the open loop's pool size). Default 8. */
  connections?: number
  /**
   * Closed loop only: clients besides the keep-alive ones that open a new connection for every request
   * (as clients without keep-alive, and proxies that do not pool, do). They share the rate. Default 0.
   */
  newConnectionClients?: number
  /**
   * `closed` (default): each connection sends its next request when the last one ended, on a schedule
   * it catches up with when late. `open`: the rate is sent on schedule whatever happens, over a pool
   * of `connections`; a request that finds every connection busy waits in the client's queue, and its
   * latency counts from when it was due.
   */
  model?: 'closed' | 'open'
  /** Open loop only: send each `burstMs` worth of requests at once, the pool idle in between. Default 0 (evenly spread). */
  burstMs?: number
  /** Client retries of an idempotent request that was refused, reset, or answered 502, 503 or 504. Default 0. */
  retries?: number
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
  /** WebSocket and server-sent-events clients held open beside the requests (see the load file format). Default none. */
  longLived?: LongLivedClients[]
}

export const LOAD_DEFAULTS = {
  rate: 100,
  connections: 8,
  newConnectionClients: 0,
  model: 'closed',
  burstMs: 0,
  retries: 0,
  fastPath: '/',
  slowShare: 0.1,
  timeoutMs: 10_000
} as const

export interface ResolvedLoad {
  rate: number
  connections: number
  newConnectionClients: number
  model: 'closed' | 'open'
  burstMs: number
  retries: number
  timeoutMs: number
  requests: ResolvedRequest[]
  longLived?: ResolvedLongLived[]
}

export interface Load {
  readonly records: RequestRecord[]
  /** Stops sending, waits for the requests in flight, closes the connections. */
  stop (): Promise<void>
}

const TIMEOUTS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_ABORTED', 'TimeoutError'])
/** RFC 9110 section 9.2.2. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'TRACE'])
const RETRIED_STATUSES = new Set([502, 503, 504])

/** One client's connection: every request goes over the socket it last opened; `fresh`: a new one each time. */
interface Connection {
  dispatcher: Dispatcher
  localPort: number
  fresh: boolean
}

function openConnection (fresh = false): Connection {
  const connection: Connection = { dispatcher: undefined as unknown as Dispatcher, localPort: 0, fresh }
  const base = buildConnector({})
  connection.dispatcher = new Agent({
    connections: 1,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    connect: (options, callback) => base(options, (...args) => {
      const socket = args[1]
      if (socket !== null && socket !== undefined) connection.localPort = socket.localPort ?? 0
      callback(...args)
    })
  })
  return connection
}

export function startLoad (target: LoadTarget, clock: Clock, o: ResolvedLoad): Load {
  const records: RequestRecord[] = []
  const origin = target.origin
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

  /** Sends request `index` (retrying as asked), due at `at`, over `connection`; records how it ended. */
  const send = async (index: number, at: number, connection: Connection): Promise<void> => {
    const req = o.requests[index]!
    const sentAs = { method: req.method, path: req.path, ...(req.name !== undefined && { name: req.name }), request: index }
    const retries = IDEMPOTENT.has(req.method) ? o.retries : 0
    for (let attempt = 1; ; attempt++) {
      const attempts = attempt > 1 ? { attempts: attempt } : {}
      const left = o.timeoutMs - (clock.now() - at)
      if (left <= 0) {
        records.push({ at, end: clock.now(), ...sentAs, outcome: 'timeout', error: 'QUEUED_PAST_TIMEOUT', ...attempts })
        return
      }
      try {
        const res = await request(origin + req.path, {
          dispatcher: connection.dispatcher,
          method: req.method as 'GET',
          headers: req.headers,
          ...(req.body !== undefined && { body: req.body }),
          // `reset` closes the connection once the response is in: the next request opens a new one.
          reset: connection.fresh,
          headersTimeout: left,
          bodyTimeout: o.timeoutMs
        })
        await res.body.dump()
        const version = res.headers['x-app-version']
        const { pod, tries } = target.attribute(connection.localPort, res.headers)
        const record: RequestRecord = {
          at,
          end: clock.now(),
          ...sentAs,
          outcome: isExpected(req, res.statusCode) ? 'ok' : 'status',
          status: res.statusCode,
          ...(version !== undefined && { version: String(version) }),
          ...(pod !== undefined && { pod }),
          ...(tries !== undefined && tries > 1 && { proxyTries: tries }),
          ...attempts
        }
        if (record.outcome === 'ok' || !RETRIED_STATUSES.has(res.statusCode) || attempt > retries) { records.push(record); return }
      } catch (err) {
        const e = err as { code?: string, name?: string, cause?: { code?: string } }
        const code = e.code ?? e.cause?.code ?? e.name ?? String(err)
        const via = target.attribute(connection.localPort)
        const refused = code === 'ECONNREFUSED' || via.refused === true
        const outcome = TIMEOUTS.has(code) ? 'timeout' : refused ? 'refused' : 'reset'
        const record: RequestRecord = { at, end: clock.now(), ...sentAs, outcome, error: code, ...(via.pod !== undefined && { pod: via.pod }), ...attempts }
        if (outcome === 'timeout' || attempt > retries) { records.push(record); return }
      }
    }
  }

  return o.model === 'open' ? openLoop(o, clock, next, send, records) : closedLoop(o, clock, next, send, records)
}

type Send = (index: number, at: number, connection: Connection) => Promise<void>

function sleeper (): { sleep: (ms: number) => Promise<void>, wakeAll: () => void } {
  const sleeping = new Map<NodeJS.Timeout, () => void>()
  return {
    sleep: (ms) => new Promise((resolve) => {
      const timer = setTimeout(() => { sleeping.delete(timer); resolve() }, ms)
      sleeping.set(timer, resolve)
    }),
    wakeAll: () => {
      for (const [timer, wake] of sleeping) { clearTimeout(timer); wake() }
      sleeping.clear()
    }
  }
}

/** Each connection sends its next request when the last one ended; when late it sends at once and catches up. */
function closedLoop (o: ResolvedLoad, clock: Clock, next: () => number, send: Send, records: RequestRecord[]): Load {
  const state = { running: true }
  const clients = o.connections + o.newConnectionClients
  const interval = (1000 * clients) / o.rate
  const { sleep, wakeAll } = sleeper()
  const worker = async (index: number): Promise<void> => {
    const connection = openConnection(index >= o.connections)
    let due = clock.now() + (interval * index) / clients
    try {
      while (state.running) {
        const wait = due - clock.now()
        if (wait > 0) await sleep(wait)
        if (!state.running) break
        due = Math.max(due + interval, clock.now())
        await send(next(), clock.now(), connection)
      }
    } finally {
      await connection.dispatcher.destroy()
    }
  }
  const workers = Array.from({ length: clients }, (_, i) => worker(i))
  return {
    records,
    async stop () {
      state.running = false
      wakeAll()
      await Promise.all(workers)
    }
  }
}

/**
 * The offered rate, sent on schedule whether earlier requests have ended or not. Request k is due at
 * start + k / rate (or with the other requests of its burst); it takes the most recently used idle
 * connection of the pool, so the others stay idle and pooled, or waits in the client's queue when
 * all are busy. Its latency counts from when it was due, the wait included.
 */
function openLoop (o: ResolvedLoad, clock: Clock, next: () => number, send: Send, records: RequestRecord[]): Load {
  const start = clock.now()
  const perBurst = Math.max(1, Math.round((o.rate * o.burstMs) / 1000))
  const dueAt = (k: number): number => o.burstMs > 0 ? start + Math.floor(k / perBurst) * o.burstMs : start + (k * 1000) / o.rate
  const idle: Connection[] = Array.from({ length: o.connections }, openConnection)
  const all = [...idle]
  const queue: number[] = []
  const inFlight = new Set<Promise<void>>()
  let k = 0
  let running = true
  let timer: NodeJS.Timeout | undefined

  const dispatch = (): void => {
    while (queue.length > 0 && idle.length > 0) {
      const at = queue.shift()!
      const connection = idle.pop()!
      const sending = send(next(), at, connection).finally(() => {
        inFlight.delete(sending)
        idle.push(connection)
        dispatch()
      })
      inFlight.add(sending)
    }
  }
  const tick = (): void => {
    if (!running) return
    while (dueAt(k) <= clock.now()) queue.push(dueAt(k++))
    dispatch()
    timer = setTimeout(tick, Math.max(0, dueAt(k) - clock.now()))
  }
  tick()
  return {
    records,
    async stop () {
      running = false
      clearTimeout(timer)
      // Requests still waiting in the queue were never sent: they are not counted.
      queue.length = 0
      while (inFlight.size > 0) await Promise.all([...inFlight])
      await Promise.all(all.map((c) => c.dispatcher.destroy()))
    }
  }
}
