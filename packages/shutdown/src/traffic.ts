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

/** One open HTTP connection: when it was accepted, and its latest request (a fixed shape, set in place). */
class Connection {
  response: ServerResponse | undefined = undefined
  requestStart = 0
  constructor (readonly acceptedAt: number) {}
}

export function trackTraffic (server: Server): Traffic {
  // Nothing is ever added to Node's request, response or socket objects: new properties on them
  // could turn them into slow dictionary-mode objects for everyone else reading them.
  const sockets = new Map<Socket, Connection>()
  let draining = false
  let closing = false
  let onEmpty: (() => void) | undefined

  const inFlight = (): Array<{ response: ServerResponse, requestStart: number }> => {
    const busy = []
    for (const { response, requestStart } of sockets.values()) {
      if (response !== undefined && !response.writableEnded) busy.push({ response, requestStart })
    }
    return busy
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
    for (const [socket, { acceptedAt }] of sockets) {
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
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const connection = sockets.get(req.socket)
    if (connection !== undefined) {
      connection.response = res
      connection.requestStart = performance.now()
    }
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
    sockets.set(socket, new Connection(performance.now()))
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
      for (const { response } of inFlight()) {
        if (!response.headersSent) response.setHeader('connection', 'close')
      }
    },
    close () {
      draining = true
      closing = true
      for (const { response } of inFlight()) response.once('close', scheduleReap)
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
        requests: inFlight().map(({ response, requestStart }) =>
          `${response.req.method} ${response.req.url} (${Math.round(now - requestStart)} ms)`),
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
