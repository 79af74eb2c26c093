import type { Http2Server, Http2SecureServer, Http2ServerResponse, ServerHttp2Session, ServerHttp2Stream } from 'node:http2'

/**
 * The largest stream id: a GOAWAY carrying it is the shutdown notice of RFC 9113 §6.8. The client
 * opens no new stream on the connection, and every stream it already sent is still served.
 */
const SHUTDOWN_NOTICE_LAST_STREAM = 2 ** 31 - 1

/** The HTTP/2 sessions of a server (`http2: true`), followed through its 'session' event. */
export interface Http2Sessions {
  /** Every session gets a graceful GOAWAY; sessions that arrive later get theirs after their first stream. */
  drain (): void
  /** Every session closes once its streams end (a final GOAWAY names the last stream served). */
  close (): void
  /** How many sessions and streams are still open (streams undefined if this Node.js hides them). */
  pending (): { sessions: number, streams: number | undefined }
  /** The responses of the streams still open (empty if this Node.js hides them). */
  openResponses (): Http2ServerResponse[]
  detach (): void
}

export function trackHttp2Sessions (server: Http2Server | Http2SecureServer): Http2Sessions {
  const sessions = new Set<ServerHttp2Session>()
  let phase: 'serving' | 'draining' | 'closing' = 'serving'

  const notice = (session: ServerHttp2Session): void => {
    if (!session.closed && !session.destroyed) session.goaway(0, SHUTDOWN_NOTICE_LAST_STREAM)
  }
  function onFirstStream (this: ServerHttp2Session): void { notice(this) }

  const onSession = (session: ServerHttp2Session): void => {
    sessions.add(session)
    session.once('close', () => sessions.delete(session))
    // A GOAWAY before the client's first request would make the client give that request up.
    if (phase === 'draining') session.once('stream', onFirstStream)
    else if (phase === 'closing') session.close()
  }
  server.on('session', onSession)

  return {
    drain () {
      if (phase !== 'serving') return
      phase = 'draining'
      for (const session of sessions) notice(session)
    },
    close () {
      phase = 'closing'
      for (const session of sessions) session.close()
    },
    pending () {
      let streams: number | undefined = 0
      for (const session of sessions) {
        const open = openStreams(session)
        streams = open === undefined || streams === undefined ? undefined : streams + open.length
      }
      return { sessions: sessions.size, streams }
    },
    openResponses () {
      const responses = []
      for (const session of sessions) {
        for (const stream of openStreams(session) ?? []) {
          const response = internal<Http2ServerResponse>(stream, 'response')
          if (response !== undefined && !response.writableEnded) responses.push(response)
        }
      }
      return responses
    },
    detach () { server.removeListener('session', onSession) }
  }
}

/** A Node.js internal kept under a symbol with this description, if there is one. */
function internal<T> (object: object, description: string): T | undefined {
  const key = Object.getOwnPropertySymbols(object).find((symbol) => symbol.description === description)
  return key === undefined ? undefined : (object as Record<symbol, T | undefined>)[key]
}

/**
 * Open streams of a session, read only when the drain or closing begins and for the pending report:
 * no public property lists them, Node.js keeps them in an internal (`session[Symbol(state)].streams`,
 * each stream's compat response under `Symbol(response)`); undefined if absent.
 */
function openStreams (session: ServerHttp2Session): ServerHttp2Stream[] | undefined {
  // A Map of Node.js' own realm-safe kind, whose prototype chain does not reach Map: no instanceof.
  const streams = internal<{ streams?: { values?: unknown } }>(session, 'state')?.streams
  return typeof streams?.values === 'function' ? [...(streams.values() as Iterable<ServerHttp2Stream>)] : undefined
}
