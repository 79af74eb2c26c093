import type { FastifyBaseLogger } from 'fastify'
import { ProbesDuplicateCheckError } from './errors.js'
import type { ResolvedCheck } from './options.js'

/** One check's latest result, as shown in verbose details: never an error's message or stack. */
export interface CheckResult {
  name: string
  status: 'pass' | 'fail'
  critical: boolean
  /** How long the run took, in milliseconds. */
  durationMs: number
  /** Why it failed: "timed out after 500 ms", "threw an error" or "returned false". */
  message?: string
}

const TIMED_OUT = Symbol('timed out')
const CLOSED = Symbol('closed')

type Outcome = { ok: true } | { ok: false, message: string, err?: unknown }

interface Entry {
  readonly check: ResolvedCheck
  /** The check function's own promise while it has not settled: never started twice at once. */
  call?: Promise<Outcome>
  controller?: AbortController
  /** One run (call + timeout) shared by every probe that asks meanwhile. */
  run?: Promise<CheckResult>
  cached?: { result: CheckResult, at: number }
  lastStatus?: CheckResult['status']
}

async function invoke (check: ResolvedCheck, signal: AbortSignal): Promise<Outcome> {
  try {
    const value = await check.check({ signal })
    return value === false ? { ok: false, message: 'returned false' } : { ok: true }
  } catch (err) {
    return { ok: false, message: 'threw an error', err }
  }
}

/**
 * Runs readiness checks with a timeout each, one run at a time per check (concurrent probes share
 * it), and keeps each result for `cacheTtl` ms. A check that hangs is not started again until it
 * settles: later runs wait on the same call, each with a fresh timeout.
 */
export class CheckRunner {
  readonly #entries = new Map<string, Entry>()
  readonly #cacheTtl: number
  readonly #log: FastifyBaseLogger
  /** Timeouts of runs in progress, each with how to end its run early (on close). */
  readonly #timers = new Map<NodeJS.Timeout, () => void>()

  constructor (cacheTtl: number, log: FastifyBaseLogger) {
    this.#cacheTtl = cacheTtl
    this.#log = log
  }

  add (check: ResolvedCheck): void {
    if (this.#entries.has(check.name)) throw new ProbesDuplicateCheckError(JSON.stringify(check.name))
    this.#entries.set(check.name, { check })
  }

  get size (): number { return this.#entries.size }

  runAll (): Promise<CheckResult[]> {
    return Promise.all([...this.#entries.values()].map((entry) => this.#results(entry)))
  }

  /** Ends runs in progress as failed, clears their timeouts and aborts checks still running (on close). */
  stop (): void {
    for (const [timer, end] of this.#timers) {
      clearTimeout(timer)
      end()
    }
    this.#timers.clear()
    for (const entry of this.#entries.values()) entry.controller?.abort(new Error('the server is closing'))
  }

  #results (entry: Entry): Promise<CheckResult> {
    const cached = entry.cached
    if (cached !== undefined && performance.now() - cached.at < this.#cacheTtl) return Promise.resolve(cached.result)
    if (entry.run === undefined) {
      entry.run = this.#execute(entry).finally(() => { entry.run = undefined })
    }
    return entry.run
  }

  async #execute (entry: Entry): Promise<CheckResult> {
    const { check } = entry
    const start = performance.now()
    if (entry.call === undefined) {
      const controller = new AbortController()
      const call = invoke(check, controller.signal)
      entry.controller = controller
      entry.call = call
      call.then(() => { if (entry.call === call) entry.call = undefined })
    }
    let timer: NodeJS.Timeout | undefined
    const timedOut = new Promise<typeof TIMED_OUT | typeof CLOSED>((resolve) => {
      timer = setTimeout(resolve, check.timeout, TIMED_OUT)
      timer.unref()
      this.#timers.set(timer, () => resolve(CLOSED))
    })
    const settled = await Promise.race([entry.call, timedOut])
    clearTimeout(timer)
    this.#timers.delete(timer!)
    let outcome: Outcome
    if (settled === CLOSED) {
      outcome = { ok: false, message: 'the server is closing' }
    } else if (settled === TIMED_OUT) {
      // Tell a check that honours its signal to give up; one that does not stays the pending call.
      entry.controller?.abort(new Error(`check ${check.name} timed out after ${check.timeout} ms`))
      outcome = { ok: false, message: `timed out after ${check.timeout} ms` }
    } else {
      outcome = settled
    }

    const result: CheckResult = {
      name: check.name,
      status: outcome.ok ? 'pass' : 'fail',
      critical: check.critical,
      durationMs: Math.round(performance.now() - start),
      ...(!outcome.ok && { message: outcome.message })
    }
    entry.cached = { result, at: performance.now() }
    this.#logChange(entry, result, outcome)
    return result
  }

  /** Logs when a check starts or stops failing, not on every probe. */
  #logChange (entry: Entry, result: CheckResult, outcome: Outcome): void {
    const previous = entry.lastStatus
    entry.lastStatus = result.status
    if (result.status === previous) return
    if (!outcome.ok) {
      this.#log.warn({ check: result.name, critical: result.critical, reason: outcome.message, err: outcome.err }, `readiness check ${result.name} failed`)
    } else if (previous === 'fail') {
      this.#log.info({ check: result.name }, `readiness check ${result.name} passes again`)
    }
  }
}
