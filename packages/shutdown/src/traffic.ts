import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'

/** What was still running when the deadline hit. */
export interface PendingTraffic {
  /** Requests in flight, e.g. `GET /slow (1200 ms)`. */
  requests: string[]
  /** HTTP connections still open (busy, or holding a request not yet fully received). */
  connections: number
}

/** The HTTP traffic of one Node.js server, followed at the socket level. */
export interface Traffic {
  /** From now on every response carries `Connection: close`, also those of requests already in flight. */
  drain (): void
  /**
   * Stops accepting connections and closes idle keep-alive sockets, then resolves once every HTTP
   * connection has ended: in-flight requests finish and requests still arriving on open connections
   * are served (each answer closes its connection). Upgraded sockets (WebSocket) are not waited for.
   */
  close (): Promise<void>
  pending (): PendingTraffic
  /** Removes every listener this added to the server. */
  detach (): void
}

/**
 * A connection that has sent nothing yet when the listener closes gets this long to send its first
 * request before it is closed: a client that just connected is about to write, and closing it under
 * its feet would be a reset. (Node.js' closeIdleConnections() leaves such sockets open for good.)
 */
export const FRESH_SOCKET_GRACE_MS = 250

// The latest response of a socket, and when its request arrived: plain properties, so that following
// the traffic costs next to nothing while the instance is ready (no listener, no map per request).
const kResponse = Symbol('zerodown.response')
const kStart = Symbol('zerodown.start')
type TrackedResponse = ServerResponse & { [kStart]?: number }
type TrackedSocket = Socket & { [kResponse]?: TrackedResponse }

export function trackTraffic (server: Server): Traffic {
  // Every open HTTP connection and when it was accepted.
  const sockets = new Map<TrackedSocket, number>()
  let draining = false
  let closing = false
  let onEmpty: (() => void) | undefined

  const inFlight = (): TrackedResponse[] => {
    const responses: TrackedResponse[] = []
    for (const socket of sockets.keys()) {
      const res = socket[kResponse]
      if (res !== undefined && !res.writableEnded) responses.push(res)
    }
    return responses
  }

  let reapScheduled = false
  let reapTimer: NodeJS.Timeout | undefined
  // Closes what no longer carries a request: keep-alive sockets idle after a response (the ones whose
  // response predates draining and so lacks Connection: close), and sockets that never sent a byte
  // once their grace is over. Sockets holding a partly received request are left to finish.
  const reap = (): void => {
    reapScheduled = false
    clearTimeout(reapTimer)
    server.closeIdleConnections()
    const now = performance.now()
    let next = Infinity
    for (const [socket, acceptedAt] of sockets) {
      if (socket.bytesRead > 0) continue
      const age = now - acceptedAt
      if (age >= FRESH_SOCKET_GRACE_MS) socket.destroy()
      else next = Math.min(next, FRESH_SOCKET_GRACE_MS - age)
    }
    if (next !== Infinity) {
      reapTimer = setTimeout(reap, Math.ceil(next))
      reapTimer.unref()
    }
  }
  const scheduleReap = (): void => {
    if (reapScheduled) return
    reapScheduled = true
    // After the response's own close handling, when its socket is idle or already ending.
    setImmediate(reap).unref()
  }

  // Prepended, so the header is set before Fastify can answer synchronously.
  const onRequest = (req: IncomingMessage, res: TrackedResponse): void => {
    res[kStart] = performance.now()
    ;(req.socket as TrackedSocket)[kResponse] = res
    if (draining) {
      res.setHeader('connection', 'close')
      if (closing) res.once('close', scheduleReap)
    }
  }

  const forget = (socket: Socket): void => {
    sockets.delete(socket)
    if (closing && sockets.size === 0) {
      clearTimeout(reapTimer)
      onEmpty?.()
    }
  }

  function onSocketClose (this: Socket): void { forget(this) }

  const onConnection = (socket: Socket): void => {
    sockets.set(socket, performance.now())
    socket.once('close', onSocketClose)
  }

  // An upgraded socket (WebSocket) is no longer HTTP: its plugin closes it in preClose.
  const onUpgrade = (_req: IncomingMessage, socket: Socket): void => { forget(socket) }

  // HTTPS: HTTP runs on the TLS socket, which 'secureConnection' hands over.
  const connectionEvent = 'setSecureContext' in server ? 'secureConnection' : 'connection'
  server.prependListener('request', onRequest)
  server.on(connectionEvent, onConnection)
  server.on('upgrade', onUpgrade)

  return {
    drain () {
      draining = true
      for (const res of inFlight()) {
        if (!res.headersSent) res.setHeader('connection', 'close')
      }
    },
    close () {
      draining = true
      closing = true
      for (const res of inFlight()) res.once('close', scheduleReap)
      return new Promise((resolve) => {
        onEmpty = resolve
        if (server.listening) server.close()
        if (sockets.size === 0) resolve()
        else reap()
      })
    },
    pending () {
      const now = performance.now()
      return {
        requests: inFlight().map((res) => `${res.req.method} ${res.req.url} (${Math.round(now - (res[kStart] ?? now))} ms)`),
        connections: sockets.size
      }
    },
    detach () {
      clearTimeout(reapTimer)
      server.removeListener('request', onRequest)
      server.removeListener(connectionEvent, onConnection)
      server.removeListener('upgrade', onUpgrade)
    }
  }
}
