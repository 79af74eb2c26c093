// Long-lived clients that behave as well-behaved clients do, through the Service: a WebSocket closed
// with 1012 (Service Restart) or 1001 (Going Away) reconnects at once; a server-sent-events stream
// that ends cleanly reconnects after the server's `retry:` hint (bounded). Each connection is
// recorded with how it ended; everything else a server can do to it is a failure.
import { request, type ClientRequest, type IncomingMessage } from 'node:http'
import WebSocket from 'ws'
import type { LoadTarget } from './target.js'
import { LONG_LIVED_DEFAULTS, type LongLivedKind, type ResolvedLongLived } from './long-lived.js'
import type { Clock } from '../timeline.js'

/** The WebSocket close codes that ask a client to reconnect. */
export const RECONNECT_CODES = new Set([1012, 1001])

/**
 * `asked`: the server asked the client to reconnect (close 1012 or 1001, or a clean end of stream).
 * `stopped`: the rehearsal ended it. The rest are failures: `abnormal` (closed without a close frame,
 * 1006), `close-code` (a close code not asking to reconnect), `cut` (an event stream that ended
 * without its clean end), `connect-failed` (refused, reset, or answered other than 101 / 200).
 */
export type LongLivedOutcome = 'asked' | 'stopped' | 'abnormal' | 'close-code' | 'cut' | 'connect-failed'

export interface LongLivedRecord {
  /** Index of the entry in the load's `longLived` list, and of the client in it. */
  entry: number
  client: number
  kind: LongLivedKind
  path: string
  /** When the connection was tried and when it ended, in ms on the rehearsal's clock. */
  at: number
  end: number
  /** Opened after the server asked this client's previous connection to go. */
  reconnect: boolean
  outcome: LongLivedOutcome
  /** WebSocket: the close code received (1006: none). */
  code?: number
  /** The status when a connection was answered other than 101 (WebSocket) or 200 (SSE). */
  status?: number
  error?: string
  pod?: string
  /** WebSocket messages or SSE events received. */
  messages: number
  /** Got no message within `messageWithinMs` of opening: a failure. */
  silent?: true
}

export interface LongLivedLoad {
  readonly records: LongLivedRecord[]
  /** Closes every connection (WebSocket close 1000) and stops reconnecting. */
  stop (): Promise<void>
}

/** After a failure a client waits this long before it connects again. */
const RETRY_AFTER_FAILURE_MS = 250
const STOP_GRACE_MS = 1000
const CONNECT_TIMEOUT_MS = 5000

interface Attempt {
  record: LongLivedRecord
  /** Ends the connection for the rehearsal's end. */
  stop (): void
  ended: Promise<void>
}

export function startLongLived (target: LoadTarget, clock: Clock, entries: ResolvedLongLived[]): LongLivedLoad {
  const records: LongLivedRecord[] = []
  const state = { running: true }
  const live = new Set<Attempt>()
  const timers = new Set<NodeJS.Timeout>()
  const after = (ms: number, fn: () => void): void => {
    const timer = setTimeout(() => { timers.delete(timer); fn() }, ms)
    timers.add(timer)
  }

  const connect = (entry: ResolvedLongLived, index: number, client: number, reconnect: boolean): void => {
    if (!state.running) return
    const record: LongLivedRecord = { entry: index, client, kind: entry.kind, path: entry.path, at: clock.now(), end: 0, reconnect, outcome: 'stopped', messages: 0 }
    records.push(record)
    const open = entry.kind === 'websocket' ? openWebSocket : openEventStream
    const attempt = open(target, entry, record, () => {
      if (entry.messageWithinMs === undefined) return
      // Still open at the bound with nothing received; a connection that ended sooner is not judged.
      after(entry.messageWithinMs, () => { if (record.messages === 0 && record.end === 0) record.silent = true })
    }, (waitMs) => {
      record.end = clock.now()
      live.delete(attempt)
      if (state.running) after(record.outcome === 'asked' ? waitMs : RETRY_AFTER_FAILURE_MS, () => connect(entry, index, client, record.outcome === 'asked'))
    })
    live.add(attempt)
  }

  entries.forEach((entry, index) => { for (let client = 0; client < entry.clients; client++) connect(entry, index, client, false) })
  return {
    records,
    async stop () {
      state.running = false
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
      const ending = [...live]
      for (const attempt of ending) attempt.stop()
      await Promise.all(ending.map((a) => a.ended))
    }
  }
}

type Opened = () => void
/** Called once when the connection has ended, with how long to wait before reconnecting when asked. */
type Ended = (waitMs: number) => void

function openWebSocket (target: LoadTarget, entry: ResolvedLongLived, record: LongLivedRecord, onOpen: Opened, onEnd: Ended): Attempt {
  const ws = new WebSocket(`${target.origin.replace(/^http/, 'ws')}${entry.path}`, { headers: entry.headers, perMessageDeflate: false, handshakeTimeout: CONNECT_TIMEOUT_MS })
  let opened = false
  let stopping = false
  let resolveEnded!: () => void
  const ended = new Promise<void>((resolve) => { resolveEnded = resolve })
  ws.on('upgrade', (res: IncomingMessage) => {
    const { pod } = target.attribute(res.socket.localPort ?? 0, res.headers)
    if (pod !== undefined) record.pod = pod
  })
  ws.on('open', () => { opened = true; onOpen() })
  ws.on('message', () => { record.messages++ })
  ws.on('error', (err: Error & { code?: string }) => {
    record.error = err.code ?? err.message
    const status = /Unexpected server response: (\d+)/.exec(err.message)?.[1]
    if (status !== undefined) record.status = Number(status)
  })
  ws.on('close', (code: number) => {
    if (!opened) record.outcome = stopping ? 'stopped' : 'connect-failed'
    else {
      record.code = code
      record.outcome = stopping ? 'stopped' : RECONNECT_CODES.has(code) ? 'asked' : code === 1006 ? 'abnormal' : 'close-code'
    }
    onEnd(0)
    resolveEnded()
  })
  return {
    record,
    ended,
    stop () {
      stopping = true
      if (ws.readyState === WebSocket.OPEN) {
        ws.close(1000, 'rehearsal over')
        setTimeout(() => ws.terminate(), STOP_GRACE_MS).unref()
      } else ws.terminate()
    }
  }
}

function openEventStream (target: LoadTarget, entry: ResolvedLongLived, record: LongLivedRecord, onOpen: Opened, onEnd: Ended): Attempt {
  let stopping = false
  let done = false
  let retryMs: number | undefined
  let resolveEnded!: () => void
  const ended = new Promise<void>((resolve) => { resolveEnded = resolve })
  const finish = (outcome: LongLivedOutcome, error?: string): void => {
    if (done) return
    done = true
    record.outcome = stopping ? 'stopped' : outcome
    if (error !== undefined && !stopping) record.error = error
    const maxMs = entry.maxRetryMs ?? LONG_LIVED_DEFAULTS.maxRetryMs
    onEnd(Math.min(retryMs ?? maxMs, maxMs))
    resolveEnded()
  }
  const url = new URL(target.origin)
  const req: ClientRequest = request({
    host: url.hostname,
    port: url.port,
    path: entry.path,
    headers: { accept: 'text/event-stream', ...entry.headers },
    agent: false
  })
  req.setTimeout(CONNECT_TIMEOUT_MS, () => req.destroy(Object.assign(new Error('no response'), { code: 'TIMEOUT' })))
  req.on('error', (err: NodeJS.ErrnoException) => finish('connect-failed', err.code ?? err.message))
  req.on('response', (res) => {
    const { pod } = target.attribute(res.socket.localPort ?? 0, res.headers)
    if (pod !== undefined) record.pod = pod
    res.on('error', () => {})
    if (res.statusCode !== 200 || !String(res.headers['content-type']).startsWith('text/event-stream')) {
      record.status = res.statusCode!
      res.resume()
      return finish('connect-failed', `${res.statusCode ?? 0} ${String(res.headers['content-type'] ?? 'no content-type')}`)
    }
    req.setTimeout(0)
    onOpen()
    let buffer = ''
    let data = false
    res.setEncoding('utf8')
    res.on('data', (chunk: string) => {
      buffer += chunk
      const lines = buffer.split(/\r\n|\r|\n/)
      buffer = lines.pop()!
      for (const line of lines) {
        if (line === '') {
          if (data) record.messages++
          data = false
        } else if (line.startsWith('data:')) data = true
        else if (line.startsWith('retry:') && /^\d+$/.test(line.slice(6).trim())) retryMs = Number(line.slice(6).trim())
      }
    })
    // A clean end is the terminating chunk (or the full length); anything short of it is a cut stream.
    res.on('close', () => finish(res.complete ? 'asked' : 'cut', res.complete ? undefined : 'stream cut before its end'))
  })
  req.end()
  return {
    record,
    ended,
    stop () {
      stopping = true
      req.destroy()
    }
  }
}
