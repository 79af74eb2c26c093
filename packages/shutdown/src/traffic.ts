import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Server, Socket } from 'node:net'

/** What was still running when the deadline hit. */
export interface PendingTraffic {
  /** Requests in flight, e.g. `GET /slow (1200 ms)`; `(more than 900 ms)` for those begun before the drain. */
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
  /** The HTTP/1.1 responses being served right now. */
  openResponses (): ServerResponse[]
  /** Removes every listener this added to the server. */
  detach (): void
}

/**
 * A connection that has sent nothing yet when the listener closes gets this long to send its first
 * request before it is closed: a client that just connected is about to write, and closing it under
 * its feet would be a reset. (Node.js' closeIdleConnections() leaves such sockets open for good.)
 */
export const FRESH_SOCKET_GRACE_MS = 250

/**
 * At closing, an HTTP/1.1 connection holding only part of a request's headers (a slow link, or a
 * slow-loris client) gets this long to complete them; one whose request is in flight but whose body
 * has stopped arriving gets this long without a byte. Then it is answered 408 and closed, as Node.js
 * does at its own headersTimeout and requestTimeout. Node.js stops checking those when the listener
 * closes, and their defaults (60 s, 300 s) outlast any shutdown deadline: without this, one such
 * client would hold the shutdown until the deadline. A body still arriving, however slowly, is
 * waited for, as is every request whose body is complete.
 */
export const PARTIAL_REQUEST_GRACE_MS = 1000

/** What Node.js answers at its headersTimeout: the client learns why, rather than seeing a reset. */
const REQUEST_TIMEOUT = 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'

type SocketWithResponse = Socket & { _httpMessage?: ServerResponse | null }

export interface TrafficOptions {
  /**
   * Follow every request from the start, to know which socket serves which response: the slower
   * path for a Node.js whose sockets do not keep the response they serve. By default it is decided
   * on the first HTTP/1.x request (see trackTraffic()).
   */
  followRequests?: boolean
  /** Called if the first request shows that this Node.js does not keep it: every request is followed from then on. */
  onFollowRequests?: () => void
}

/**
 * The server under Fastify: HTTP/1.1 (http, https), or HTTP/2 (h2c, TLS with or without
 * allowHTTP1), whose sessions http2.ts closes; only HTTP/1.1 servers close idle connections.
 */
export type TrafficServer = Server & { closeIdleConnections?: () => void }

/**
 * Follows the HTTP traffic of `server`. Which response a socket is serving is read, when the
 * shutdown begins, from `socket._httpMessage` (an internal that Node.js' own closeIdleConnections()
 * reads too), instead of following every request: a per-request listener that held on to each
 * response cost about 2% of hello-world throughput. Whether this Node.js keeps it is checked once, on
 * the first HTTP/1.x request's real socket. (A check at startup on a response built for the purpose
 * made V8 compile Node.js' HTTP code worse: up to 60% more instructions on every request after it.)
 */
export function trackTraffic (server: TrafficServer, { followRequests, onFollowRequests }: TrafficOptions = {}): Traffic {
  // Nothing is ever added to Node's request, response or socket objects: new properties on them
  // could turn them into slow dictionary-mode objects for everyone else reading them.
  /** Every open HTTP connection, with when it was accepted. */
  const sockets = new Map<Socket, number>()
  /** When the requests that arrived while draining began (earlier ones began before the drain). */
  const requestStarts = new WeakMap<ServerResponse, number>()
  let drainedAt: number | undefined
  let closing = false
  let onEmpty: (() => void) | undefined

  /** The response each socket serves, followed request by request: only when Node.js does not keep it. */
  const followed = new WeakMap<Socket, ServerResponse>()
  let following = false
  const follow = (req: IncomingMessage, res: ServerResponse): void => {
    const current = followed.get(req.socket)
    // A pipelined request waits behind the one being served.
    if (current === undefined || current.writableEnded) followed.set(req.socket, res)
  }
  const startFollowing = (): void => {
    following = true
    server.on('request', follow)
  }
  // The first request on a connection is never queued behind another: its socket serves it now.
  // Removed at once, whatever the request, so that it is never on the path of the others (an HTTP/2
  // stream has no socket of its own: nothing to check, and only a server that allows HTTP/1 has any).
  const checkFirstRequest = (req: IncomingMessage, res: ServerResponse): void => {
    server.removeListener('request', checkFirstRequest)
    if (req.httpVersionMajor !== 1 || (req.socket as SocketWithResponse)._httpMessage === res) return
    /* c8 ignore next 3 -- only on a Node.js without socket._httpMessage; test/plugin.test.ts checks this one has it and tests the fallback itself */
    onFollowRequests?.()
    startFollowing()
    follow(req, res)
  }
  if (followRequests === true) startFollowing()
  else if (followRequests === undefined) server.on('request', checkFirstRequest)

  /** The response a socket is serving right now, if any. */
  const servingNow = (socket: Socket): ServerResponse | undefined => {
    const response = following ? followed.get(socket) : (socket as SocketWithResponse)._httpMessage
    return response != null && !response.writableEnded ? response : undefined
  }

  const inFlight = (): ServerResponse[] => {
    const busy = []
    for (const socket of sockets.keys()) {
      const response = servingNow(socket)
      if (response !== undefined) busy.push(response)
    }
    return busy
  }

  let reapScheduled = false
  let reapTimer: NodeJS.Timeout | undefined
  let closingAt = 0
  /** At closing, how many bytes each socket had read when last looked at, and when that changed. */
  const progress = new WeakMap<Socket, { bytes: number, at: number }>()
  /** Since when a socket has read nothing, as far as the reaper has seen (at most since closing). */
  const silentSince = (socket: Socket, now: number): number => {
    const seen = progress.get(socket)
    if (seen === undefined || seen.bytes !== socket.bytesRead) {
      progress.set(socket, { bytes: socket.bytesRead, at: seen === undefined ? closingAt : now })
    }
    return progress.get(socket)!.at
  }
  /**
   * How much longer a socket may stay open at closing without a request in flight; undefined when
   * it is not for the reaper to close (serving a request, or an HTTP/2 session, which http2.ts closes).
   */
  const graceLeft = (socket: Socket, acceptedAt: number, now: number): number | undefined => {
    // Closing already: answered at its Connection: close, or by the reaper a moment ago.
    if (socket.destroyed || socket.writableEnded) return undefined
    if (socket.bytesRead === 0) return FRESH_SOCKET_GRACE_MS - (now - acceptedAt)
    if (server.closeIdleConnections === undefined) return undefined
    const response = servingNow(socket)
    if (response === undefined) return PARTIAL_REQUEST_GRACE_MS - (now - closingAt)
    // In flight: for the reaper only while its body is stalled and nothing was answered yet.
    if (response.headersSent || response.req.complete) return undefined
    return PARTIAL_REQUEST_GRACE_MS - (now - silentSince(socket, now))
  }
  // Closes what no longer carries a request: keep-alive sockets idle after a response (the ones whose
  // response predates draining and so lacks Connection: close), sockets that never sent a byte once
  // their grace is over, and those holding an incomplete request (headers, or a stalled body) once theirs is.
  const reap = (): void => {
    reapScheduled = false
    clearTimeout(reapTimer)
    server.closeIdleConnections?.()
    const now = performance.now()
    let next = Infinity
    for (const [socket, acceptedAt] of sockets) {
      const left = graceLeft(socket, acceptedAt, now)
      if (left === undefined) continue
      if (left > 0) next = Math.min(next, left)
      else if (socket.bytesRead === 0) socket.destroy()
      else socket.end(REQUEST_TIMEOUT, () => socket.destroy())
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

  // Only while draining; prepended, so the header is set before Fastify can answer synchronously.
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    requestStarts.set(res, performance.now())
    // HTTP/2 has no Connection header: its sessions get a GOAWAY instead (http2.ts).
    if (req.httpVersionMajor === 1) res.setHeader('connection', 'close')
    if (closing) res.once('close', scheduleReap)
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
  server.on(connectionEvent, onConnection)
  server.on('upgrade', onUpgrade)

  const drain = (): void => {
    if (drainedAt !== undefined) return
    drainedAt = performance.now()
    server.prependListener('request', onRequest)
    for (const response of inFlight()) {
      if (!response.headersSent) response.setHeader('connection', 'close')
    }
  }

  return {
    drain,
    close () {
      drain()
      closing = true
      closingAt = performance.now()
      for (const response of inFlight()) response.once('close', scheduleReap)
      return new Promise((resolve) => {
        onEmpty = resolve
        if (server.listening) server.close()
        if (sockets.size === 0) resolve()
        else reap()
      })
    },
    openResponses: inFlight,
    pending () {
      const now = performance.now()
      const age = (response: ServerResponse): string => {
        const start = requestStarts.get(response)
        if (start !== undefined) return `${Math.round(now - start)} ms`
        return drainedAt === undefined ? 'in flight' : `more than ${Math.round(now - drainedAt)} ms`
      }
      return {
        requests: inFlight().map((response) => `${response.req.method} ${response.req.url} (${age(response)})`),
        connections: sockets.size
      }
    },
    detach () {
      clearTimeout(reapTimer)
      server.removeListener('request', onRequest)
      server.removeListener('request', follow)
      server.removeListener('request', checkFirstRequest)
      server.removeListener(connectionEvent, onConnection)
      server.removeListener('upgrade', onUpgrade)
    }
  }
}
