import type { ServerResponse } from 'node:http'
import type { Http2ServerResponse } from 'node:http2'

type Response = ServerResponse | Http2ServerResponse

/**
 * Whether the response is an event stream: by its header, or, when `writeHead()` was handed the
 * headers (which then skip getHeader()), by the header block already sent (`_header`).
 */
const isEventStream = (response: Response): boolean => {
  const type = response.getHeader('content-type')
  if (type !== undefined) return /^\s*text\/event-stream/i.test(String(type))
  const sent = (response as ServerResponse & { _header?: string | null })._header
  return typeof sent === 'string' && /^content-type:\s*text\/event-stream/im.test(sent)
}

/**
 * Ends every server-sent-events response still open (`content-type: text/event-stream`), over
 * HTTP/1.1 or HTTP/2, so the
 * shutdown does not wait for the deadline: the client sees a clean end of stream and reconnects.
 * Works whether the handler piped a stream (`reply.send(stream)`: Fastify then destroys the source)
 * or writes to `reply.raw` (whose later writes are dropped). Returns how many were ended.
 */
export function endEventStreams (responses: Iterable<Response>, finalEvent: string): number {
  let ended = 0
  for (const response of responses) {
    if (!isEventStream(response) || response.writableEnded) continue
    if (finalEvent === '') response.end()
    else response.end(finalEvent)
    // The handler (or its pipe) may still write: such writes are dropped. Left to Node.js, a write
    // after end would be an 'error' on an HTTP/1.1 response, and would reset an HTTP/2 stream.
    // (Set after end(), which HTTP/2's compatibility response implements with write(); an own
    // property on this response only, now, at closing.)
    response.write = dropWrite
    ended++
  }
  return ended
}

/** How many of these responses are open event streams. */
export function countEventStreams (responses: Iterable<Response>): number {
  let count = 0
  for (const response of responses) if (isEventStream(response)) count++
  return count
}

/** Returns false (so a pipe waits, until Fastify destroys its source) and fails the callback, if any. */
function dropWrite (_chunk: unknown, encodingOrCallback?: unknown, callback?: unknown): boolean {
  const done = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback
  if (typeof done === 'function') process.nextTick(done, new WriteAfterEndError())
  return false
}

class WriteAfterEndError extends Error {
  code = 'ERR_STREAM_WRITE_AFTER_END'
  constructor () { super('write after end: @zerodown/shutdown ended this event stream at closing') }
}
