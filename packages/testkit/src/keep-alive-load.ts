import { Agent, request } from 'undici'

export interface LoadOptions {
  origin: string
  /** Keep-alive connections, each sending one request after another. Default 4. */
  connections?: number
  /** Paths to request, taken in turn by each connection. Default `['/']`. */
  paths?: string[]
  /** Pause between a response and the next request on a connection. Default 0. */
  pauseMs?: number
  /** Give up on one request after this long and record a timeout. Default 10 s. */
  requestTimeoutMs?: number
}

/** One request as the client saw it. */
export interface RequestRecord {
  path: string
  /** `performance.now()` when the request was sent and when it ended. */
  start: number
  end: number
  status?: number
  connection?: string
  version?: string
  /** Error code when no response arrived: ECONNREFUSED, ECONNRESET, UND_ERR_SOCKET, timeout... */
  error?: string
  /**
   * True when the request went out on a connection that had already served a request (no new
   * connection was opened or attempted for it). A failure there is never acceptable: the server
   * kept the connection open, so it owed the request an answer. A refused NEW connection is what a
   * closed listener looks like, and a client can safely retry it.
   */
  reused: boolean
}

export interface Load {
  readonly records: RequestRecord[]
  /** Stops sending, waits for the requests in flight, closes the connections. */
  stop (): Promise<RequestRecord[]>
}

/** Steady traffic over keep-alive connections, the way a proxy's connection pool sends it. */
export function startKeepAliveLoad (opts: LoadOptions): Load {
  const connections = opts.connections ?? 4
  const paths = opts.paths ?? ['/']
  const pauseMs = opts.pauseMs ?? 0
  const timeout = opts.requestTimeoutMs ?? 10_000
  const records: RequestRecord[] = []
  const state = { running: true }

  const worker = async (index: number): Promise<void> => {
    // One agent per worker pins the worker to one keep-alive socket, reopened only when closed.
    const dispatcher = new Agent({ connections: 1, pipelining: 1, keepAliveTimeout: 60_000 })
    let n = index
    try {
      while (state.running) {
        const path = paths[n++ % paths.length]!
        records.push(await send(dispatcher, opts.origin, path, timeout))
        if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs))
      }
    } finally {
      await dispatcher.close()
    }
  }
  const workers = Array.from({ length: connections }, (_, i) => worker(i))

  return {
    records,
    async stop () {
      state.running = false
      await Promise.all(workers)
      return records
    }
  }
}

/**
 * Sends one GET and records what happened; never throws. `reused` is only exact when this request
 * is the only one in flight on `dispatcher` (as in the load's workers and one-request agents).
 */
export async function send (dispatcher: Agent, origin: string, path: string, timeoutMs: number): Promise<RequestRecord> {
  const start = performance.now()
  let connected = false
  const onConnect = (): void => { connected = true }
  dispatcher.on('connect', onConnect).on('connectionError', onConnect)
  try {
    const res = await request(new URL(path, origin), {
      dispatcher,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs
    })
    await res.body.dump()
    const header = (name: string): string | undefined => {
      const value = res.headers[name]
      return Array.isArray(value) ? value.join(', ') : value
    }
    return {
      path,
      start,
      end: performance.now(),
      reused: !connected,
      status: res.statusCode,
      ...(header('connection') !== undefined && { connection: header('connection') }),
      ...(header('x-app-version') !== undefined && { version: header('x-app-version') })
    }
  } catch (err) {
    const e = err as { code?: string, cause?: { code?: string } }
    return { path, start, end: performance.now(), reused: !connected, error: e.cause?.code ?? e.code ?? String(err) }
  } finally {
    dispatcher.off('connect', onConnect).off('connectionError', onConnect)
  }
}
