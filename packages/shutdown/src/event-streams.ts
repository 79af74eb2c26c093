import type { ServerResponse } from 'node:http'

/**
 * Whether the response is an event stream: by its header, or, when `writeHead()` was handed the
 * headers (which then skip getHeader()), by the header block already sent (`_header`).
 */
const isEventStream = (response: ServerResponse): boolean => {
  const type = response.getHeader('content-type')
  if (type !== undefined) return /^\s*text\/event-stream/i.test(String(type))
  const sent = (response as ServerResponse & { _header?: string | null })._header
  return typeof sent === 'string' && /^content-type:\s*text\/event-stream/im.test(sent)
}

/**
 * Ends every server-sent-events response still open (`content-type: text/event-stream`), so the
 * shutdown does not wait for the deadline: the client sees a clean end of stream and reconnects.
 * Works whether the handler piped a stream (`reply.send(stream)`: Fastify then destroys the source)
 * or writes to `reply.raw`. Returns how many were ended.
 */
export function endEventStreams (responses: Iterable<ServerResponse>, finalEvent: string): number {
  let ended = 0
  for (const response of responses) {
    if (!isEventStream(response) || response.writableEnded) continue
    // A write the handler or its pipe makes after this end fails with ERR_STREAM_WRITE_AFTER_END:
    // expected here, so it must not be an uncaught 'error'.
    response.on('error', ignoreWriteAfterEnd)
    if (finalEvent === '') response.end()
    else response.end(finalEvent)
    ended++
  }
  return ended
}

/** How many of these responses are open event streams. */
export function countEventStreams (responses: Iterable<ServerResponse>): number {
  let count = 0
  for (const response of responses) if (isEventStream(response)) count++
  return count
}

function ignoreWriteAfterEnd (): void {}
