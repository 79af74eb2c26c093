import type { FastifyBaseLogger } from 'fastify'

export type LifecycleState = 'starting' | 'ready' | 'draining' | 'closing' | 'closed'

/** The instance's lifecycle, read by the probes. */
export interface Lifecycle {
  readonly state: LifecycleState
  /** Calls listener on every transition; returns a function that unsubscribes. */
  onChange (listener: (state: LifecycleState, previous: LifecycleState) => void): () => void
  /**
   * Keeps the instance 'starting' after listen() until this work settles (rejection is logged; the
   * instance then stays 'starting' so the startup probe fails). Work added once the instance has left
   * 'starting' changes no state; its rejection is still logged.
   */
  addStartupWork (work: Promise<unknown>): void
}

/** The lifecycle plus the transitions only the plugin makes. */
export interface LifecycleController extends Lifecycle {
  /** Moves to `next` if it is later than the current state; returns whether it moved. */
  advance (next: LifecycleState): boolean
  /** listen() finished: 'ready' once every startup work has settled successfully. */
  listening (): void
}

const ORDER: Record<LifecycleState, number> = { starting: 0, ready: 1, draining: 2, closing: 3, closed: 4 }

export function createLifecycle (log: FastifyBaseLogger): LifecycleController {
  let state: LifecycleState = 'starting'
  let isListening = false
  let pendingWork = 0
  let failedWork = false
  const listeners = new Set<(state: LifecycleState, previous: LifecycleState) => void>()

  const advance = (next: LifecycleState): boolean => {
    if (ORDER[next] <= ORDER[state]) return false
    const previous = state
    state = next
    for (const listener of [...listeners]) {
      try {
        listener(next, previous)
      } catch (err) {
        // A faulty observer must never stop a shutdown.
        log.error({ err }, `@zerodown/shutdown: a lifecycle listener threw on ${previous} -> ${next}`)
      }
    }
    return true
  }

  const maybeReady = (): void => {
    if (state === 'starting' && isListening && pendingWork === 0 && !failedWork) advance('ready')
  }

  return {
    get state () { return state },
    onChange (listener) {
      listeners.add(listener)
      return () => { listeners.delete(listener) }
    },
    addStartupWork (work) {
      const counts = state === 'starting'
      if (counts) pendingWork++
      Promise.resolve(work).then(() => {
        if (counts) pendingWork--
        maybeReady()
      }, (err: unknown) => {
        if (counts) {
          pendingWork--
          failedWork = true
        }
        log.error({ err }, '@zerodown/shutdown: startup work failed; the instance stays starting')
      })
    },
    advance,
    listening () {
      isListening = true
      maybeReady()
    }
  }
}
