// What the long-lived clients saw, for the result (`longLived`) and the summary's lines.
import type { LongLivedOutcome, LongLivedRecord } from '../load/long-lived-clients.js'
import type { LongLivedKind, ResolvedLongLived } from '../load/long-lived.js'

/** How a connection failed; `silent`: no message within `messageWithinMs`. */
export type LongLivedFailureKind = Exclude<LongLivedOutcome, 'asked' | 'stopped'> | 'silent'
const FAILURE_KINDS: LongLivedFailureKind[] = ['abnormal', 'close-code', 'cut', 'connect-failed', 'silent']

export interface LongLivedEntrySummary {
  kind: LongLivedKind
  path: string
  clients: number
  /** Connections tried, reconnections included. */
  connections: number
  /** Connections the server asked to reconnect (close 1012 / 1001, or a clean end of stream). */
  asked: number
  /** WebSocket: the close codes that asked, with counts. */
  askedCodes: Record<string, number>
  /** Connections opened after the server asked the client's previous one to go. */
  reconnected: number
  /** Connections with any failure. */
  failed: number
  failures: Record<LongLivedFailureKind, number>
  /** WebSocket messages or SSE events received. */
  messages: number
}

export interface LongLivedSummary {
  clients: number
  connections: number
  asked: number
  reconnected: number
  failed: number
  failures: Record<LongLivedFailureKind, number>
  byEntry: LongLivedEntrySummary[]
  /** The failed connections, up to 200, in the order they ended. */
  failedConnections: LongLivedRecord[]
}

const emptyFailures = (): Record<LongLivedFailureKind, number> => ({ abnormal: 0, 'close-code': 0, cut: 0, 'connect-failed': 0, silent: 0 })

function failuresOf (r: LongLivedRecord): LongLivedFailureKind[] {
  return [...(r.outcome === 'asked' || r.outcome === 'stopped' ? [] : [r.outcome]), ...(r.silent === true ? ['silent' as const] : [])]
}

export function summarizeLongLived (entries: ResolvedLongLived[], records: LongLivedRecord[]): LongLivedSummary {
  const byEntry = entries.map((entry, index): LongLivedEntrySummary => {
    const mine = records.filter((r) => r.entry === index)
    const failures = emptyFailures()
    const askedCodes: Record<string, number> = {}
    let failed = 0
    for (const r of mine) {
      const kinds = failuresOf(r)
      for (const kind of kinds) failures[kind]++
      if (kinds.length > 0) failed++
      if (r.outcome === 'asked' && r.code !== undefined) askedCodes[r.code] = (askedCodes[r.code] ?? 0) + 1
    }
    return {
      kind: entry.kind,
      path: entry.path,
      clients: entry.clients,
      connections: mine.length,
      asked: mine.filter((r) => r.outcome === 'asked').length,
      askedCodes,
      reconnected: mine.filter((r) => r.reconnect && r.outcome !== 'connect-failed').length,
      failed,
      failures,
      messages: mine.reduce((sum, r) => sum + r.messages, 0)
    }
  })
  const failures = emptyFailures()
  for (const e of byEntry) for (const kind of FAILURE_KINDS) failures[kind] += e.failures[kind]
  const sum = (key: 'clients' | 'connections' | 'asked' | 'reconnected' | 'failed'): number => byEntry.reduce((n, e) => n + e[key], 0)
  return {
    clients: sum('clients'),
    connections: sum('connections'),
    asked: sum('asked'),
    reconnected: sum('reconnected'),
    failed: sum('failed'),
    failures,
    byEntry,
    failedConnections: records.filter((r) => failuresOf(r).length > 0).sort((a, b) => a.end - b.end).slice(0, 200)
      .map((r) => ({ ...r, at: Math.round(r.at), end: Math.round(r.end) }))
  }
}

const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`

/** `websocket /ws: 4 clients, 12 connections, 8 asked to reconnect (close 1012 ×8), 8 reconnected, 310 messages, 0 failed` */
function entryLine (e: LongLivedEntrySummary): string {
  const how = e.kind === 'websocket'
    ? Object.entries(e.askedCodes).map(([code, n]) => `close ${code} ×${n}`).join(', ')
    : `end of stream ×${e.asked}`
  const failed = FAILURE_KINDS.filter((k) => e.failures[k] > 0).map((k) => `${k} ×${e.failures[k]}`)
  return `${e.kind} ${e.path}: ${e.clients} clients, ${e.connections} connections, ${e.asked} asked to reconnect${e.asked > 0 ? ` (${how})` : ''}, ` +
    `${e.reconnected} reconnected, ${e.messages} ${e.kind === 'websocket' ? 'messages' : 'events'}, ${e.failed} failed${failed.length > 0 ? ` (${failed.join(', ')})` : ''}`
}

/** The summary's lines about the long-lived clients; none when there were none. */
export function formatLongLived (l: LongLivedSummary | undefined): string[] {
  if (l === undefined) return []
  const lines = [`long-lived: ${l.clients} clients, ${l.connections} connections, ${l.asked} asked to reconnect, ${l.reconnected} reconnected, ${l.failed} failed`]
  for (const e of l.byEntry) lines.push(`  ${entryLine(e)}`)
  if (l.failedConnections.length > 0) {
    lines.push('failed long-lived connections (first 10):')
    for (const r of l.failedConnections.slice(0, 10)) {
      const what = [
        ...(r.outcome !== 'asked' && r.outcome !== 'stopped' ? [r.outcome] : []),
        ...(r.silent === true ? ['silent'] : [])
      ].join(' and ')
      const detail = [
        r.code !== undefined ? `code ${r.code}` : undefined,
        r.status !== undefined ? `status ${r.status}` : undefined,
        r.error,
        r.pod !== undefined ? `pod ${r.pod}` : undefined,
        `${r.messages} received`
      ].filter((x) => x !== undefined).join(', ')
      lines.push(`  at ${s(r.end)} ${r.kind} ${r.path}${r.reconnect ? ' (a reconnect)' : ''}, tried at ${s(r.at)}: ${what} (${detail})`)
    }
  }
  return lines
}
