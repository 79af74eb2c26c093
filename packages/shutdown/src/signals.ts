import type { Lifecycle } from './lifecycle.js'

/**
 * For handlers that stream something other than server-sent events (which are ended at closing):
 * `draining` aborts when the drain begins, `closing` when closing begins (also on a direct
 * `app.close()`); finish the stream when one aborts, e.g. `app.shutdownSignals.closing.addEventListener('abort', end)`.
 */
export interface ShutdownSignals {
  readonly draining: AbortSignal
  readonly closing: AbortSignal
}

/** Two signals aborted by the lifecycle's transitions; nothing runs per request. */
export function createShutdownSignals (lifecycle: Lifecycle): { view: ShutdownSignals, detach: () => void } {
  const draining = new AbortController()
  const closing = new AbortController()
  const detach = lifecycle.onChange((state) => {
    if (state === 'draining' || state === 'closing' || state === 'closed') draining.abort(new Error(`lifecycle ${state}`))
    if (state === 'closing' || state === 'closed') closing.abort(new Error(`lifecycle ${state}`))
  })
  return { view: Object.freeze({ draining: draining.signal, closing: closing.signal }), detach }
}
