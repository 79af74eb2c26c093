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
}

/**
 * close-with-grace wired to the sequence: the signals, `uncaughtException` and `unhandledRejection`
 * start it, a second signal or error exits at once, and the process exits when the sequence ends
 * (1 after an uncaught error, at the deadline or when closing failed). The deadline is the
 * sequence's own, so close-with-grace gets none.
 */
export function handleProcessEvents (sequence: ShutdownSequence, options: ResolvedShutdownOptions, log: FastifyBaseLogger): ProcessEvents {
  const cwg = closeWithGrace({
    delay: undefined,
    skip: [...SUPPORTED_SIGNALS.filter((s) => !options.signals.includes(s)), 'beforeExit'],
    logger: {
      // The deadline has been logged by the sequence, with what was pending.
      error: (err: unknown) => { if (!(err instanceof ShutdownTimeoutError)) log.error({ err }, 'shutdown: failed, exiting with code 1') }
    },
    onSecondSignal: (signal) => log.error({ zerodown: 'shutdown', signal }, `shutdown: second ${signal}, exiting at once with code 1`),
    onSecondError: (err) => log.fatal({ err, zerodown: 'shutdown' }, 'shutdown: another uncaught error while shutting down, exiting at once with code 1')
  }, async ({ signal, err }) => {
    if (err === undefined) return sequence.run(signal ?? 'shutdown()', 0)
    log.fatal({ err, zerodown: 'shutdown' }, 'shutdown: uncaught error, draining then exiting with code 1')
    return sequence.run('uncaught error', 1)
  })
  return {
    shutdown (reason) {
      const first = !sequence.started
      const result = sequence.run(reason ?? 'shutdown()', 0)
      // close-with-grace exits when the sequence ends, and from now on a signal is a second one.
      if (first) cwg.close()
      return result
    },
    uninstall: cwg.uninstall
  }
}
