import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import { createLifecycle, findLifecycle, type Lifecycle, type LifecycleController, type LifecycleState } from '@zerodown/shutdown/lifecycle'

export type { Lifecycle, LifecycleState } from '@zerodown/shutdown/lifecycle'

/**
 * The lifecycle the probes answer from: the one @zerodown/shutdown decorates the instance with,
 * registered before or after the probes, or, when it is not registered by the time the app is
 * ready, one of the probes' own with the same rules (ready once listening, closing once close()
 * begins). Startup work goes to that lifecycle: work added before the choice is made is handed
 * over when it is.
 */
export class LifecycleLink {
  readonly #app: FastifyInstance
  readonly #log: FastifyBaseLogger
  #chosen: Lifecycle | undefined
  #own: LifecycleController | undefined
  #early: Array<PromiseLike<unknown>> = []

  constructor (app: FastifyInstance) {
    this.#app = app
    this.#log = app.log
  }

  #current (): Lifecycle | undefined {
    return this.#chosen ?? findLifecycle(this.#app)
  }

  get state (): LifecycleState {
    return this.#current()?.state ?? 'starting'
  }

  addStartupWork (work: PromiseLike<unknown>): void {
    const lifecycle = this.#current()
    if (lifecycle !== undefined) return lifecycle.addStartupWork(work)
    // Handled at once, so a rejection before the hand-over is no unhandled rejection.
    Promise.resolve(work).catch(() => {})
    this.#early.push(work)
  }

  /** onReady: from now on the lifecycle is this one. */
  choose (): void {
    if (this.#chosen !== undefined) return
    const shared = findLifecycle(this.#app)
    if (shared === undefined) this.#own = createLifecycle(this.#log, '@zerodown/probes')
    this.#chosen = shared ?? this.#own!.view
    for (const work of this.#early) this.#chosen.addStartupWork(work)
    this.#early = []
  }

  // Transitions of the probes' own lifecycle; @zerodown/shutdown makes those of its own.
  listening (): void { this.#own?.listening() }
  closing (): void { this.#own?.advance('closing') }
  closed (): void { this.#own?.advance('closed') }
}
