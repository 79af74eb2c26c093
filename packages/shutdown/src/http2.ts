import type { Http2Server, Http2SecureServer, ServerHttp2Session } from 'node:http2'

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
        streams = open === undefined || streams === undefined ? undefined : streams + open
      }
      return { sessions: sessions.size, streams }
    },
    detach () { server.removeListener('session', onSession) }
  }
}

/**
 * Open streams of a session, read only for the logs and the pending report: Node.js counts them in
 * an internal (`session[Symbol(state)].streams`), as no public property does; undefined if absent.
 */
function openStreams (session: ServerHttp2Session): number | undefined {
  const key = Object.getOwnPropertySymbols(session).find((symbol) => symbol.description === 'state')
  const streams = key === undefined ? undefined : (session as unknown as Record<symbol, { streams?: unknown } | undefined>)[key]?.streams
  return streams instanceof Map ? streams.size : undefined
}
