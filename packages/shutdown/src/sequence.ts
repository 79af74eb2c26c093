import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import { ShutdownTimeoutError } from './errors.js'
import type { LifecycleController } from './lifecycle.js'
import type { ResolvedShutdownOptions } from './options.js'
import { countEventStreams, endEventStreams } from './event-streams.js'
import type { Http2Sessions } from './http2.js'
import type { LongLivedConnections } from './long-lived.js'
import type { Traffic } from './traffic.js'

const elapsed = (since: number): number => Math.round(performance.now() - since)

/** What a shutdown was still waiting for when its deadline hit. */
interface Pending {
  phase: string
  inFlight: number
  requests: string[]
  openConnections: number
  /** Open server-sent-events responses (HTTP/1.1 ones also counted in inFlight). */
  eventStreams: number
  /** HTTP/2 sessions and their streams; streams undefined if this Node.js hides them. */
  http2Sessions: number
  http2Streams: number | undefined
  webSockets: number
  /** Connections registered with app.addLongLivedConnection() and not ended. */
  longLived: number
  closeHooks: string
}

const pendingText = (p: Pending): string =>
  `phase ${p.phase}; ${p.inFlight} request(s) in flight${p.requests.length > 0 ? ` [${p.requests.join(', ')}]` : ''}; ` +
  `${p.openConnections} open connection(s); ${p.eventStreams} event stream(s); ` +
  `${p.http2Sessions} HTTP/2 session(s) with ${p.http2Streams ?? 'unknown'} stream(s); ${p.webSockets} WebSocket(s); ` +
  `${p.longLived} other long-lived connection(s); preClose/onClose hooks ${p.closeHooks}`

export interface SequenceParts {
  app: FastifyInstance
  lifecycle: LifecycleController
  traffic: Traffic
  /** Only when the server speaks HTTP/2. */
  http2?: Http2Sessions
  longLived: LongLivedConnections
  options: ResolvedShutdownOptions
}

/**
 * The shutdown of one instance, the same whatever started it (a signal, an uncaught error or
 * `app.shutdown()`) and whether the process exits after it or not:
 *
 *   draining  every response carries Connection: close and every HTTP/2 session gets a GOAWAY,
 *             WebSockets and registered long-lived connections are asked to go one by one over
 *             the window, for `drainDelay` ms (none if not listening)
 *   closing   the listener closes; event streams are ended, HTTP/2 sessions close once their
 *             streams end, the long-lived connections left are asked to go, and all of them and
 *             the HTTP connections are waited for; then app.close() runs the preClose/onClose
 *             hooks (Fastify's 503-on-closing has no request left to refuse)
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
  readonly #http2: Http2Sessions | undefined
  readonly #longLived: LongLivedConnections
  readonly #options: ResolvedShutdownOptions
  readonly #log: FastifyBaseLogger
  #result: Promise<void> | undefined
  /** When app.close() began running the hooks, whoever called it. */
  #hooksStartedAt: number | undefined
  #drainTimer: NodeJS.Timeout | undefined
  #endDrain: () => void = () => {}
  #fastifyClosed = false
  #onFastifyClosed: () => void = () => {}
  #exitCode = 0

  constructor ({ app, lifecycle, traffic, http2, longLived, options }: SequenceParts) {
    this.#app = app
    this.#lifecycle = lifecycle
    this.#traffic = traffic
    this.#http2 = http2
    this.#longLived = longLived
    this.#options = options
    this.#log = app.log
  }

  get started (): boolean { return this.#result !== undefined }

  /** The lifecycle state the sequence is in, for the log. */
  get phase (): string { return this.#lifecycle.view.state }

  /** The code the process exits with when the sequence ends: 1 once an uncaught error was reported. */
  get exitCode (): number { return this.#exitCode }

  /**
   * An uncaught error happened, before or during the sequence: it runs on all the same (requests in
   * flight still finish) and ends with exit code 1.
   */
  failed (): void { this.#exitCode = 1 }

  /**
   * Starts the sequence; a later call returns the same promise. Resolves once closed, rejects with
   * ShutdownTimeoutError at the deadline (or with the error app.close() rejects with).
   */
  run (reason: string): Promise<void> {
    this.#result ??= this.#withDeadline(this.#steps(reason))
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

  /** What the sequence still waits for, in one line (the deadline's report). */
  pendingText (): string { return pendingText(this.pending()) }

  pending (): Pending {
    const { requests, connections } = this.#traffic.pending()
    const hooks = this.#hooksStartedAt === undefined ? 'not started' : `running for ${elapsed(this.#hooksStartedAt)} ms`
    const http2 = this.#http2?.pending() ?? { sessions: 0, streams: 0 }
    const longLived = this.#longLived.pending()
    return {
      phase: this.#lifecycle.view.state,
      inFlight: requests.length,
      requests,
      openConnections: connections,
      eventStreams: countEventStreams([...this.#traffic.openResponses(), ...this.#http2?.openResponses() ?? []]),
      http2Sessions: http2.sessions,
      http2Streams: http2.streams,
      webSockets: longLived.websockets,
      longLived: longLived.registered,
      closeHooks: hooks
    }
  }

  async #steps (reason: string): Promise<void> {
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
    const exitCode = this.#exitCode
    this.#log.info({ zerodown: 'shutdown', phase: 'closed', durationMs: elapsed(start), exitCode: exit ? exitCode : undefined },
      `shutdown: closed in ${elapsed(start)} ms${exit ? `, exiting with code ${exitCode}` : ''}`)
  }

  async #drain (reason: string): Promise<void> {
    const delay = this.#app.server.listening ? this.#options.drainDelay : 0
    this.#lifecycle.advance('draining')
    this.#traffic.drain()
    this.#http2?.drain()
    const http2Sessions = this.#http2?.pending().sessions
    const longLived = this.#longLived.pending()
    const asked = this.#longLived.drain(delay)
    this.#log.info({ zerodown: 'shutdown', reason, drainDelay: delay, timeout: this.#options.timeout, http2Sessions, webSockets: longLived.websockets, longLived: longLived.registered },
      `shutdown: ${reason}: draining for ${delay} ms, every response with Connection: close` +
      (http2Sessions === undefined ? '' : `, GOAWAY sent to ${http2Sessions} HTTP/2 session(s)`) +
      (asked === 0 || delay === 0 ? '' : `, ${longLived.websockets} WebSocket(s) and ${longLived.registered} other long-lived connection(s) asked to go over the window`))
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
    const eventStreams = endEventStreams([...this.#traffic.openResponses(), ...this.#http2?.openResponses() ?? []], this.#options.eventStreamEnd)
    const { websockets, registered } = this.#longLived.pending()
    this.#http2?.close()
    const http2Sessions = this.#http2?.pending()
    if (eventStreams + websockets + registered + (http2Sessions?.sessions ?? 0) > 0) {
      this.#log.info({ zerodown: 'shutdown', eventStreams, webSockets: websockets, longLived: registered, http2Sessions: http2Sessions?.sessions, http2Streams: http2Sessions?.streams },
        `shutdown: closing: ${eventStreams} event stream(s) ended, ${websockets} WebSocket(s) and ${registered} other long-lived connection(s) asked to go` +
        (http2Sessions === undefined ? '' : `, ${http2Sessions.sessions} HTTP/2 session(s) closing once their ${http2Sessions.streams ?? 'unknown'} stream(s) end`))
    }
    await Promise.all([this.#traffic.close(), this.#longLived.close()])
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
