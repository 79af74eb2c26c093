// The long-lived part of the load, as written in a load file (`longLived:`) or passed as
// `load.longLived`: WebSocket and server-sent-events clients, validated with a message that names the
// entry and field, like the requests (load-file.ts).
import type { Fail } from '../errors.js'
import { isObj, resolveHeaders, resolvePath } from './fields.js'

export const LONG_LIVED_KINDS = ['websocket', 'sse'] as const
export type LongLivedKind = typeof LONG_LIVED_KINDS[number]

/** A group of long-lived clients of one path. */
export interface LongLivedClients {
  /** `websocket`: reconnects when closed with 1012 or 1001. `sse` (server-sent events): reconnects when the stream ends cleanly, after its `retry:` hint. */
  kind: LongLivedKind
  /** Path and query, starting with `/`. */
  path: string
  /** How many clients hold a connection at once. Default 10. */
  clients?: number
  headers?: Record<string, string>
  /** A connection that got no message (WebSocket) or event (SSE) this long after it opened is a failure. Default: not checked. */
  messageWithinMs?: number
  /** `sse`: the longest wait before reconnecting, whatever the server's `retry:` hint; also the wait when it gave none. Default 2000. */
  maxRetryMs?: number
}

export interface ResolvedLongLived {
  kind: LongLivedKind
  path: string
  clients: number
  headers: Record<string, string>
  messageWithinMs?: number
  /** `sse` only. */
  maxRetryMs?: number
}

export const LONG_LIVED_DEFAULTS = { clients: 10, maxRetryMs: 2000 } as const
const MAX_CLIENTS = 1000

const FIELDS = new Set(['kind', 'path', 'clients', 'headers', 'messageWithinMs', 'maxRetryMs'])
const isMs = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0

/** Validates the `longLived` list; `fail` names the field of the first problem. */
export function resolveLongLived (value: unknown, fail: Fail, field = 'longLived'): ResolvedLongLived[] {
  if (!Array.isArray(value)) fail(field, 'a list of long-lived clients like [{ kind: websocket, path: /ws, clients: 20 }]', value)
  return (value as unknown[]).map((entry, i) => resolveEntry(entry, fail, `${field}[${i}]`))
}

function resolveEntry (entry: unknown, fail: Fail, at: string): ResolvedLongLived {
  if (!isObj(entry)) fail(at, 'an object like { kind: websocket, path: /ws, clients: 20 }', entry)
  const e = entry as Record<string, unknown>
  for (const key of Object.keys(e)) if (!FIELDS.has(key)) fail(`${at}.${key}`, `one of the fields ${[...FIELDS].join(', ')}`, key)
  if (!(LONG_LIVED_KINDS as readonly unknown[]).includes(e.kind)) fail(`${at}.kind`, `one of ${LONG_LIVED_KINDS.join(', ')}`, e.kind)
  const path = resolvePath(e.path, fail, `${at}.path`)
  const clients = e.clients ?? LONG_LIVED_DEFAULTS.clients
  if (!Number.isInteger(clients) || (clients as number) < 1 || (clients as number) > MAX_CLIENTS) fail(`${at}.clients`, `an integer from 1 to ${MAX_CLIENTS}`, clients)
  const headers = resolveHeaders(e.headers, fail, `${at}.headers`)
  if (e.messageWithinMs !== undefined && !isMs(e.messageWithinMs)) fail(`${at}.messageWithinMs`, 'a number of milliseconds >= 0', e.messageWithinMs)
  const maxRetryMs = e.maxRetryMs ?? LONG_LIVED_DEFAULTS.maxRetryMs
  if (!isMs(maxRetryMs)) fail(`${at}.maxRetryMs`, 'a number of milliseconds >= 0', maxRetryMs)
  if (e.maxRetryMs !== undefined && e.kind !== 'sse') fail(`${at}.maxRetryMs`, 'no maxRetryMs on a websocket entry (it reconnects at once when asked; the field is for kind sse)', e.maxRetryMs)
  return {
    kind: e.kind as LongLivedKind,
    path,
    clients: clients as number,
    headers,
    ...(e.messageWithinMs !== undefined && { messageWithinMs: e.messageWithinMs as number }),
    ...(e.kind === 'sse' && { maxRetryMs: maxRetryMs as number })
  }
}
