// The lifecycle contract of the zerodown plugins, defined once: @zerodown/shutdown owns the
// instance's lifecycle, @zerodown/probes answers from it (or from one of its own, with the same
// rules, when @zerodown/shutdown is not registered). Published as `@zerodown/shutdown/lifecycle`,
// which loads nothing else.
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'

export type LifecycleState = 'starting' | 'ready' | 'draining' | 'closing' | 'closed'

/** The instance's lifecycle as everyone may see it: read-only; the transitions stay inside the plugin. */
export interface Lifecycle {
  readonly state: LifecycleState
  /** Calls listener on every transition; returns a function that unsubscribes. */
  onChange (listener: (state: LifecycleState, previous: LifecycleState) => void): () => void
  /**
   * Keeps the instance 'starting' after listen() until this work settles. If it rejects, the
   * rejection is logged and the instance stays 'starting', so the startup probe fails and
   * Kubernetes restarts the container. Work added once the instance has left 'starting' is logged
   * and changes no state: it never takes a ready instance out of service (its rejection is logged).
   */
  addStartupWork (work: PromiseLike<unknown>): void
}

/**
 * The namespaced decorator under which a zerodown plugin finds the instance's lifecycle. A symbol
 * from the global registry, so that two copies of the package (two versions, ESM and CommonJS)
 * agree on it, and no other plugin's `lifecycle` decorator can be taken for it.
 */
export const LIFECYCLE_DECORATOR = Symbol.for('@zerodown/lifecycle')

/** The lifecycle decorated on `app` by @zerodown/shutdown (or a stand-in honouring the contract), if any. */
export function findLifecycle (app: FastifyInstance): Lifecycle | undefined {
  if (!app.hasDecorator(LIFECYCLE_DECORATOR)) return undefined
  return (app as unknown as Record<symbol, Lifecycle | undefined>)[LIFECYCLE_DECORATOR]
}

/** The lifecycle and the transitions only its owner makes. */
export interface LifecycleController {
  /** What may be handed out: the read-only view. */
  readonly view: Lifecycle
  /** Moves to `next` if it is later than the current state; returns whether it moved. */
  advance (next: LifecycleState): boolean
  /** listen() finished: 'ready' once every startup work has settled successfully. */
  listening (): void
}

const ORDER: Record<LifecycleState, number> = { starting: 0, ready: 1, draining: 2, closing: 3, closed: 4 }

/** A lifecycle at 'starting'; `owner` (a package name) prefixes its log lines. */
export function createLifecycle (log: FastifyBaseLogger, owner: string): LifecycleController {
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
        log.error({ err }, `${owner}: a lifecycle listener threw on ${previous} -> ${next}`)
      }
    }
    return true
  }

  const maybeReady = (): void => {
    if (state === 'starting' && isListening && pendingWork === 0 && !failedWork) advance('ready')
  }

  const addStartupWork = (work: PromiseLike<unknown>): void => {
    if (state !== 'starting') {
      // Too late to hold anything: taking a ready instance out of service here would leave it
      // unready for good if the work failed, and liveness would never restart it.
      log.warn({ state }, `${owner}: startup work added while ${state}: it changes no state (add it before listen() to hold the instance starting)`)
      Promise.resolve(work).then(undefined, (err: unknown) => {
        log.error({ err }, `${owner}: startup work added after the instance left starting failed; it changes no state`)
      })
      return
    }
    pendingWork++
    Promise.resolve(work).then(() => {
      pendingWork--
      maybeReady()
    }, (err: unknown) => {
      pendingWork--
      failedWork = true
      log.error({ err }, `${owner}: startup work failed; the instance stays starting`)
    })
  }

  const view: Lifecycle = Object.freeze({
    get state () { return state },
    onChange (listener: (state: LifecycleState, previous: LifecycleState) => void) {
      listeners.add(listener)
      return () => { listeners.delete(listener) }
    },
    addStartupWork
  })

  return {
    view,
    advance,
    listening () {
      isListening = true
      maybeReady()
    }
  }
}
