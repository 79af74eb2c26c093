import type { FastifyInstance } from 'fastify'

export type LifecycleState = 'starting' | 'ready' | 'draining' | 'closing' | 'closed'

/**
 * The lifecycle @zerodown/shutdown decorates the instance with (`fastify.lifecycle`). The probes
 * read it structurally, so they need no runtime dependency on that package and work without it.
 */
export interface Lifecycle {
  readonly state: LifecycleState
  onChange (listener: (state: LifecycleState, previous: LifecycleState) => void): () => void
  addStartupWork (work: Promise<unknown>): void
}

/**
 * The instance's state as the probes see it: `fastify.lifecycle` when some plugin decorated the
 * instance with it (looked up at each read, so registration order does not matter), otherwise
 * the probes' own view: ready once listening, closing once `close()` began. Startup work declared
 * through `app.probes.addStartupWork()` keeps either view at "starting" until it resolves; if it
 * rejects, startup keeps failing (as with @zerodown/shutdown) and Kubernetes restarts the container.
 */
export class LifecycleReader {
  readonly #app: FastifyInstance
  #listening = false
  #closing = false
  #pendingWork = 0
  #failedWork = false

  constructor (app: FastifyInstance) {
    this.#app = app
  }

  markListening (): void { this.#listening = true }
  markClosing (): void { this.#closing = true }

  addStartupWork (work: Promise<unknown>, onError: (err: unknown) => void): void {
    this.#pendingWork++
    work.then(() => { this.#pendingWork-- }, (err: unknown) => {
      this.#pendingWork--
      this.#failedWork = true
      onError(err)
    })
  }

  /** The decorated lifecycle, when there is one honouring the contract. */
  lifecycle (): Lifecycle | undefined {
    if (!this.#app.hasDecorator('lifecycle')) return undefined
    const lifecycle = (this.#app as unknown as { lifecycle?: Partial<Lifecycle> }).lifecycle
    return typeof lifecycle?.state === 'string' ? lifecycle as Lifecycle : undefined
  }

  get state (): LifecycleState {
    const lifecycle = this.lifecycle()
    const state = lifecycle !== undefined
      ? lifecycle.state
      : this.#closing ? 'closing' : this.#listening ? 'ready' : 'starting'
    return state === 'ready' && (this.#pendingWork > 0 || this.#failedWork) ? 'starting' : state
  }
}
