import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import { ShutdownTimeoutError } from './errors.js'
import type { LifecycleController } from './lifecycle.js'
import type { ResolvedShutdownOptions } from './options.js'
import type { Traffic } from './traffic.js'

const elapsed = (since: number): number => Math.round(performance.now() - since)

/** What a shutdown was still waiting for when its deadline hit. */
interface Pending {
  phase: string
  inFlight: number
  requests: string[]
  openConnections: number
  closeHooks: string
}

const pendingText = (p: Pending): string =>
  `phase ${p.phase}; ${p.inFlight} request(s) in flight${p.requests.length > 0 ? ` [${p.requests.join(', ')}]` : ''}; ` +
  `${p.openConnections} open connection(s); preClose/onClose hooks ${p.closeHooks}`

export interface SequenceParts {
  app: FastifyInstance
  lifecycle: LifecycleController
  traffic: Traffic
  options: ResolvedShutdownOptions
}

/**
 * The shutdown of one instance, the same whatever started it (a signal, an uncaught error or
 * `app.shutdown()`) and whether the process exits after it or not:
 *
 *   draining  every response carries Connection: close, for `drainDelay` ms (none if not listening)
 *   closing   the listener closes and the HTTP connections end; then app.close() runs the
 *             preClose/onClose hooks (Fastify's 503-on-closing has no request left to refuse)
 *   closed
 *
 * One deadline, `timeout` ms after the start, ends it with a ShutdownTimeoutError, logging what was
 * pending. Fastify's hooks only tell it what happened: `closeStarted()` from preClose, `closed()`
 * from onClose, so a direct `app.close()` is followed as well.
 */
export class ShutdownSequence {
  readonly #app: FastifyInstance
  readonly #lifecycle: LifecycleController
  readonly #traffic: Traffic
  readonly #options: ResolvedShutdownOptions
  readonly #log: FastifyBaseLogger
  #result: Promise<void> | undefined
  /** When app.close() began running the hooks, whoever called it. */
  #hooksStartedAt: number | undefined
  #drainTimer: NodeJS.Timeout | undefined
  #endDrain: () => void = () => {}
  #fastifyClosed = false
  #onFastifyClosed: () => void = () => {}

  constructor ({ app, lifecycle, traffic, options }: SequenceParts) {
    this.#app = app
    this.#lifecycle = lifecycle
    this.#traffic = traffic
    this.#options = options
    this.#log = app.log
  }

  get started (): boolean { return this.#result !== undefined }

  /**
   * Starts the sequence; a later call returns the same promise. Resolves once closed, rejects with
   * ShutdownTimeoutError at the deadline (or with the error app.close() rejects with).
   */
  run (reason: string, exitCode: number): Promise<void> {
    this.#result ??= this.#withDeadline(this.#steps(reason, exitCode))
    return this.#result
  }

  /** preClose: app.close() is running the hooks. */
  closeStarted (): void {
    this.#hooksStartedAt ??= performance.now()
    this.#lifecycle.advance('closing')
  }

  /** onClose: Fastify has closed. */
  closed (): void {
    this.#fastifyClosed = true
    clearTimeout(this.#drainTimer)
    this.#endDrain()
    this.#onFastifyClosed()
    // A direct app.close() ends here; the sequence moves to 'closed' once its app.close() resolves.
    if (!this.started) this.#lifecycle.advance('closed')
  }

  pending (): Pending {
    const { requests, connections } = this.#traffic.pending()
    const hooks = this.#hooksStartedAt === undefined ? 'not started' : `running for ${elapsed(this.#hooksStartedAt)} ms`
    return { phase: this.#lifecycle.view.state, inFlight: requests.length, requests, openConnections: connections, closeHooks: hooks }
  }

  async #steps (reason: string, exitCode: number): Promise<void> {
    const start = performance.now()
    await this.#drain(reason)
    this.#log.info({ zerodown: 'shutdown', phase: 'draining', durationMs: elapsed(start) }, `shutdown: draining done in ${elapsed(start)} ms`)

    const closing = performance.now()
    const connectionsMs = await this.#close()
    const hooksMs = this.#hooksStartedAt === undefined ? 0 : elapsed(this.#hooksStartedAt)
    this.#lifecycle.advance('closed')
    this.#log.info({ zerodown: 'shutdown', phase: 'closing', durationMs: elapsed(closing), connectionsMs, hooksMs },
      `shutdown: closing done in ${elapsed(closing)} ms (connections ${connectionsMs} ms, preClose/onClose hooks ${hooksMs} ms)`)
    const exit = this.#options.exit
    this.#log.info({ zerodown: 'shutdown', phase: 'closed', durationMs: elapsed(start), exitCode: exit ? exitCode : undefined },
      `shutdown: closed in ${elapsed(start)} ms${exit ? `, exiting with code ${exitCode}` : ''}`)
  }

  async #drain (reason: string): Promise<void> {
    const delay = this.#app.server.listening ? this.#options.drainDelay : 0
    this.#lifecycle.advance('draining')
    this.#traffic.drain()
    this.#log.info({ zerodown: 'shutdown', reason, drainDelay: delay, timeout: this.#options.timeout },
      `shutdown: ${reason}: draining for ${delay} ms, every response with Connection: close`)
    if (delay === 0 || this.#fastifyClosed) return
    await new Promise<void>((resolve) => {
      this.#endDrain = resolve
      this.#drainTimer = setTimeout(resolve, delay)
      this.#drainTimer.unref()
    })
  }

  /** Closes the listener and the connections, then Fastify; returns how long the connections took. */
  async #close (): Promise<number> {
    if (this.#hooksStartedAt !== undefined) {
      // app.close() was called directly meanwhile: wait for it.
      if (!this.#fastifyClosed) await new Promise<void>((resolve) => { this.#onFastifyClosed = resolve })
      return 0
    }
    const start = performance.now()
    this.#lifecycle.advance('closing')
    await this.#traffic.close()
    const connectionsMs = elapsed(start)
    await this.#app.close()
    return connectionsMs
  }

  #withDeadline (steps: Promise<void>): Promise<void> {
    const { timeout, exit } = this.#options
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<never>((_resolve, reject) => {
      // Not unref()ed: a hung hook must still get its rejection, and the process its exit.
      timer = setTimeout(() => {
        const pending = this.pending()
        this.#log.error({ zerodown: 'shutdown', ...pending, timeout },
          `shutdown: timeout of ${timeout} ms reached${exit ? ', exiting with code 1' : ''}; still pending: ${pendingText(pending)}`)
        reject(new ShutdownTimeoutError(timeout, pendingText(pending)))
      }, timeout)
    })
    return Promise.race([steps, deadline]).finally(() => clearTimeout(timer))
  }
}
