import type { FastifyInstance } from 'fastify'

/** The close code a WebSocket gets: 1012 Service Restart, "reconnect, to another instance". */
export const WEBSOCKET_CLOSE_CODE = 1012

/** What zerodown needs of a `ws` WebSocket (as @fastify/websocket's `websocketServer.clients` hold). */
interface WebSocketLike {
  readonly readyState: number
  close (code: number, reason: string): void
  once (event: 'close', listener: () => void): unknown
}
const WS_CLOSED = 3

/** A connection that outlives requests, and how to ask it to go. */
interface Connection {
  kind: 'websocket' | 'registered'
  /** Asks once; resolves when the connection has ended. */
  close (): Promise<void>
}

/**
 * Long-lived connections: the WebSockets of @fastify/websocket (found at drain, in its
 * `websocketServer.clients`) and those registered with `app.addLongLivedConnection()`. When the
 * drain begins they are asked to go one after the other, spread evenly over the drain window, so
 * their clients do not all reconnect in the same instant; those still open at closing (also the
 * ones that arrived meanwhile) are asked at once, and closing waits for them to end.
 */
export class LongLivedConnections {
  readonly #app: FastifyInstance
  readonly #registered = new Set<Connection>()
  /** Every connection asked to go, with the promise of its end. */
  readonly #asked = new Map<unknown, Promise<void>>()
  #timer: NodeJS.Timeout | undefined

  constructor (app: FastifyInstance) { this.#app = app }

  /** Registers a connection; returns the function to call when it ends by itself. */
  register (close: () => unknown): () => void {
    const connection: Connection = {
      kind: 'registered',
      close: async () => {
        await close()
        this.#registered.delete(connection)
      }
    }
    this.#registered.add(connection)
    return () => { this.#registered.delete(connection) }
  }

  /** Asks every open connection to go, spread over `windowMs`; returns how many there are. */
  drain (windowMs: number): number {
    const queue = [...this.#collect()]
    if (queue.length === 0 || windowMs <= 0) return queue.length
    const start = performance.now()
    const step = windowMs / queue.length
    let next = 0
    const tick = (): void => {
      const due = Math.floor((performance.now() - start) / step) + 1
      while (next < Math.min(due, queue.length)) {
        const [key, connection] = queue[next++]!
        this.#ask(key, connection)
      }
      if (next < queue.length) {
        this.#timer = setTimeout(tick, Math.max(1, Math.ceil(next * step - (performance.now() - start))))
        this.#timer.unref()
      }
    }
    tick()
    return queue.length
  }

  /** Asks every connection still open to go; resolves once they have all ended. */
  async close (): Promise<void> {
    this.stop()
    for (const [key, connection] of this.#collect()) this.#ask(key, connection)
    await Promise.all(this.#asked.values())
  }

  /** Stops asking (Fastify has closed, e.g. through a direct app.close() while draining). */
  stop (): void { clearTimeout(this.#timer) }

  /** Connections still open, by kind. */
  pending (): { websockets: number, registered: number } {
    let websockets = 0
    for (const socket of this.#websockets()) if (socket.readyState !== WS_CLOSED) websockets++
    return { websockets, registered: this.#registered.size }
  }

  #ask (key: unknown, connection: Connection): void {
    if (this.#asked.has(key)) return
    this.#asked.set(key, connection.close().catch((error: unknown) => {
      this.#app.log.warn({ zerodown: 'shutdown', err: error }, 'shutdown: closing a long-lived connection failed')
    }))
  }

  /** The open connections, keyed by the socket or the registration. */
  * #collect (): Generator<[unknown, Connection]> {
    for (const socket of this.#websockets()) {
      if (socket.readyState >= 2) continue
      yield [socket, { kind: 'websocket', close: () => closeWebSocket(socket) }]
    }
    for (const connection of this.#registered) yield [connection, connection]
  }

  #websockets (): Iterable<WebSocketLike> {
    const server = (this.#app as unknown as { websocketServer?: { clients?: Set<WebSocketLike> } }).websocketServer
    return server?.clients ?? []
  }
}

function closeWebSocket (socket: WebSocketLike): Promise<void> {
  return new Promise((resolve) => {
    if (socket.readyState === WS_CLOSED) return resolve()
    socket.once('close', resolve)
    socket.close(WEBSOCKET_CLOSE_CODE, 'Service Restart')
  })
}
