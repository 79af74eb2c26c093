import type { Lifecycle, LifecycleState } from '../src/index.js'

/** A tiny object honouring the @zerodown/shutdown lifecycle contract, driven by the test. */
export class TestLifecycle implements Lifecycle {
  state: LifecycleState
  readonly #listeners = new Set<(state: LifecycleState, previous: LifecycleState) => void>()
  readonly work: Array<Promise<unknown>> = []

  constructor (state: LifecycleState = 'starting') {
    this.state = state
  }

  set (state: LifecycleState): void {
    const previous = this.state
    this.state = state
    for (const listener of this.#listeners) listener(state, previous)
  }

  onChange (listener: (state: LifecycleState, previous: LifecycleState) => void): () => void {
    this.#listeners.add(listener)
    return () => { this.#listeners.delete(listener) }
  }

  addStartupWork (work: Promise<unknown>): void {
    this.work.push(work)
  }
}
