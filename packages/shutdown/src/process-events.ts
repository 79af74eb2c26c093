import type { FastifyBaseLogger } from 'fastify'
import closeWithGrace from 'close-with-grace'
import { ShutdownTimeoutError } from './errors.js'
import { SUPPORTED_SIGNALS, type ResolvedShutdownOptions } from './options.js'
import type { ShutdownSequence } from './sequence.js'

export interface ProcessEvents {
  /** Runs the sequence, then exits the process (0, or 1 at the deadline). */
  shutdown (reason?: string): Promise<void>
  /** Removes the process handlers. */
  uninstall (): void
  /** The signals of ours that another close-with-grace handles too (fastify-cli's `fastify start` installs one). */
  otherHandlers (): string[]
}

const ERROR_EVENTS = ['uncaughtException', 'unhandledRejection'] as const

/** Makes close-with-grace exit 1 once the sequence ended after an uncaught error; never logged. */
class ExitCodeOne extends Error {}

/**
 * close-with-grace wired to the sequence: the signals start it, a second signal exits at once, and
 * the process exits when the sequence ends (1 after an uncaught error, at the deadline or when
 * closing failed). The deadline is the sequence's own, so close-with-grace gets none.
 *
 * `uncaughtException` and `unhandledRejection` are handled here, not by close-with-grace, which
 * exits at once on any error once a shutdown has begun: an error during a drain that a signal
 * started would cut every request in flight. The first uncaught error starts the sequence or, when
 * it runs already, lets it go on and only turns its exit code to 1. A second one exits at once,
 * logging what was still pending.
 */
export function handleProcessEvents (sequence: ShutdownSequence, options: ResolvedShutdownOptions, log: FastifyBaseLogger): ProcessEvents {
  const before = new Set(options.signals.flatMap((signal) => process.listeners(signal)))
  const cwg = closeWithGrace({
    delay: undefined,
    skip: [...SUPPORTED_SIGNALS.filter((s) => !options.signals.includes(s)), 'beforeExit', ...ERROR_EVENTS],
    logger: {
      // The deadline has been logged by the sequence, with what was pending; the uncaught error when it happened.
      error: (err: unknown) => {
        if (!(err instanceof ShutdownTimeoutError) && !(err instanceof ExitCodeOne)) log.error({ err }, 'shutdown: failed, exiting with code 1')
      }
    },
    onSecondSignal: (signal) => log.error({ zerodown: 'shutdown', signal }, `shutdown: second ${signal}, exiting at once with code 1`)
  }, async ({ signal }) => {
    await sequence.run(signal ?? 'shutdown()')
    if (sequence.exitCode !== 0) throw new ExitCodeOne()
  })

  const own = new Set(options.signals.flatMap((signal) => process.listeners(signal)).filter((l) => !before.has(l)))

  let uncaught = 0
  const onError = (err: unknown): void => {
    uncaught++
    if (uncaught > 1) {
      const pending = sequence.pendingText()
      log.fatal({ err, zerodown: 'shutdown', pending }, `shutdown: another uncaught error while shutting down, exiting at once with code 1; still pending: ${pending}`)
      process.exit(1)
    }
    sequence.failed()
    if (sequence.started) {
      const phase = sequence.phase
      log.fatal({ err, zerodown: 'shutdown', during: phase }, `shutdown: uncaught error while ${phase}; the shutdown goes on, then exits with code 1`)
      return
    }
    log.fatal({ err, zerodown: 'shutdown' }, 'shutdown: uncaught error, draining then exiting with code 1')
    sequence.run('uncaught error').catch(() => {})
    // close-with-grace exits when the sequence ends, and from now on a signal is a second one.
    cwg.close()
  }
  for (const event of ERROR_EVENTS) process.on(event, onError)

  return {
    shutdown (reason) {
      const first = !sequence.started
      const result = sequence.run(reason ?? 'shutdown()')
      if (first) cwg.close()
      return result
    },
    uninstall () {
      cwg.uninstall()
      for (const event of ERROR_EVENTS) process.removeListener(event, onError)
    },
    otherHandlers () {
      return options.signals.filter((signal) => process.listeners(signal).some((l) => !own.has(l) && isCloseWithGrace(l)))
    }
  }
}

/**
 * A signal listener of close-with-grace (any version since 1.0 names it `onSignal`), which on the
 * signal closes the app and exits. Other listeners (signal-exit's, a log line of the app's) let
 * the drain run and are left alone. compat/test/fastify-cli.test.ts holds this against the real
 * fastify-cli.
 */
function isCloseWithGrace (listener: { name: string }): boolean {
  return listener.name === 'onSignal'
}
