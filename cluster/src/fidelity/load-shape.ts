// The load both sides of a fidelity row send: the same requests, rate, client counts and timeout, in
// the shapes a real run sees: keep-alive clients and clients that open a new connection per request.
export interface LoadShape {
  /** Requests per second in total. */
  rate: number
  /** Clients that keep one connection open. */
  keepAlive: number
  /** Clients that open a new connection for every request. */
  newConnection: number
  /** Paths and their shares. */
  requests: Array<{ path: string, weight: number }>
  timeoutMs: number
}

export const FIDELITY_LOAD: LoadShape = {
  rate: 100,
  keepAlive: 8,
  newConnection: 8,
  // Enough slow requests that every pod has some in flight when it is signalled.
  requests: [{ path: '/', weight: 7 }, { path: '/work?ms=300', weight: 3 }],
  timeoutMs: 10_000
}

export type Outcome = 'ok' | 'status' | 'reset' | 'refused' | 'timeout'
export const FAILURE_KINDS = ['status', 'reset', 'refused', 'timeout'] as const
export type FailureKind = typeof FAILURE_KINDS[number]

/** One request as the real run's client saw it (times are epoch ms). */
export interface LoadRecord {
  at: number
  end: number
  path: string
  client: 'keep-alive' | 'new-connection'
  outcome: Outcome
  status?: number
  version?: string
  error?: string
}
