import type { FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'
import closeWithGrace from 'close-with-grace'
import { ShutdownAlreadyRegisteredError, ShutdownTimeoutError, ShutdownUnsupportedServerError } from './errors.js'
import { createLifecycle, type Lifecycle } from './lifecycle.js'
import { resolveOptions, SUPPORTED_SIGNALS, type ShutdownOptions } from './options.js'
import { claimProcess } from './process-claim.js'
import { trackTraffic } from './traffic.js'

export type { Lifecycle, LifecycleState } from './lifecycle.js'
export { DEFAULTS, ENV, SUPPORTED_SIGNALS, type ShutdownOptions, type ShutdownSignal } from './options.js'
export {
  ShutdownAlreadyRegisteredError,
  ShutdownInvalidEnvError,
  ShutdownInvalidOptionError,
  ShutdownInvalidTimingError,
  ShutdownTimeoutError,
  ShutdownUnsupportedServerError
} from './errors.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The instance's lifecycle state (`starting → ready → draining → closing → closed`) and its transitions. */
    readonly lifecycle: Lifecycle
    /** Starts the same drain -> close -> exit sequence as SIGTERM. */
    shutdown (reason?: string): Promise<void>
  }
}

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

const plugin: FastifyPluginAsync<ShutdownOptions> = async (app, opts) => {
  if (app.hasDecorator('lifecycle')) throw new ShutdownAlreadyRegisteredError('on this Fastify instance')
  if (app.initialConfig.http2 === true) throw new ShutdownUnsupportedServerError('HTTP/2 (option http2: true)')
  const options = resolveOptions(opts)
  const release = options.exit ? claimProcess() : () => {}
  const log = app.log
  const { drainDelay, timeout } = options.settings
  log.info({ zerodown: 'shutdown', settings: options.settings, signals: options.signals },
    `shutdown: drainDelay ${drainDelay.value} ms (${drainDelay.source}), timeout ${timeout.value} ms (${timeout.source}), ` +
    `on ${options.signals.join(', ')}`)
  const lifecycle = createLifecycle(log)
  const traffic = trackTraffic(app.server)

  let sequence: Promise<void> | undefined
  let hooksStartedAt: number | undefined
  let appCloseStarted = false
  let endDrain: (() => void) | undefined
  let drainTimer: NodeJS.Timeout | undefined
  let onClosed: () => void = () => {}
  const closedByHook = new Promise<void>((resolve) => { onClosed = resolve })

  const describePending = (): Pending => {
    const { requests, connections } = traffic.pending()
    const closeHooks = hooksStartedAt === undefined ? 'not started' : `running for ${elapsed(hooksStartedAt)} ms`
    return { phase: lifecycle.state, inFlight: requests.length, requests, openConnections: connections, closeHooks }
  }

  const drainAndClose = async (reason: string, exitCode: number): Promise<void> => {
    const start = performance.now()
    const delay = app.server.listening ? options.drainDelay : 0
    lifecycle.advance('draining')
    traffic.drain()
    log.info({ zerodown: 'shutdown', reason, drainDelay: delay, timeout: options.timeout },
      `shutdown: ${reason}: draining for ${delay} ms, every response with Connection: close`)
    if (delay > 0) {
      await new Promise<void>((resolve) => {
        endDrain = resolve
        drainTimer = setTimeout(resolve, delay)
        drainTimer.unref()
      })
    }
    log.info({ zerodown: 'shutdown', phase: 'draining', durationMs: elapsed(start) }, `shutdown: draining done in ${elapsed(start)} ms`)

    const closing = performance.now()
    let connectionsMs = 0
    if (appCloseStarted) {
      await closedByHook // app.close() was called directly meanwhile
    } else {
      lifecycle.advance('closing')
      await traffic.close()
      connectionsMs = elapsed(closing)
      hooksStartedAt = performance.now()
      appCloseStarted = true
      // Every connection has ended: Fastify's return503OnClosing has no request left to refuse.
      await app.close()
    }
    const hooksMs = hooksStartedAt === undefined ? 0 : elapsed(hooksStartedAt)
    lifecycle.advance('closed')
    log.info({ zerodown: 'shutdown', phase: 'closing', durationMs: elapsed(closing), connectionsMs, hooksMs },
      `shutdown: closing done in ${elapsed(closing)} ms (connections ${connectionsMs} ms, preClose/onClose hooks ${hooksMs} ms)`)
    log.info({ zerodown: 'shutdown', phase: 'closed', durationMs: elapsed(start), exitCode: options.exit ? exitCode : undefined },
      `shutdown: closed in ${elapsed(start)} ms${options.exit ? `, exiting with code ${exitCode}` : ''}`)
  }

  const start = (reason: string, exitCode: number): Promise<void> => {
    sequence ??= drainAndClose(reason, exitCode)
    return sequence
  }

  let shutdown: (reason?: string) => Promise<void>
  let uninstall = (): void => {}
  if (options.exit) {
    let manualReason = 'shutdown()'
    const cwg = closeWithGrace({
      delay: options.timeout,
      skip: [...SUPPORTED_SIGNALS.filter((s) => !options.signals.includes(s)), 'beforeExit'],
      logger: { error: (err: unknown) => log.error({ err }, 'shutdown: failed, exiting with code 1') },
      onTimeout: () => {
        const pending = describePending()
        log.error({ zerodown: 'shutdown', ...pending, timeout: options.timeout },
          `shutdown: timeout of ${options.timeout} ms reached, exiting with code 1; still pending: ${pendingText(pending)}`)
      },
      onSecondSignal: (signal) => log.error({ zerodown: 'shutdown', signal }, `shutdown: second ${signal}, exiting at once with code 1`),
      onSecondError: (err) => log.fatal({ err, zerodown: 'shutdown' }, 'shutdown: another uncaught error while shutting down, exiting at once with code 1')
    }, async ({ signal, err }) => {
      if (err !== undefined) log.fatal({ err, zerodown: 'shutdown' }, 'shutdown: uncaught error, draining then exiting with code 1')
      await start(err !== undefined ? 'uncaught error' : signal ?? manualReason, err !== undefined ? 1 : 0)
    })
    uninstall = cwg.uninstall
    shutdown = (reason) => {
      if (sequence === undefined) {
        manualReason = reason ?? 'shutdown()'
        cwg.close()
      }
      // close-with-grace runs the sequence synchronously up to its first await.
      return sequence ?? start(manualReason, 0)
    }
  } else {
    shutdown = (reason) => {
      if (sequence !== undefined) return sequence
      let timer: NodeJS.Timeout | undefined
      const deadline = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => {
          const pending = describePending()
          log.error({ zerodown: 'shutdown', ...pending, timeout: options.timeout },
            `shutdown: timeout of ${options.timeout} ms reached; still pending: ${pendingText(pending)}`)
          reject(new ShutdownTimeoutError(options.timeout, pendingText(pending)))
        }, options.timeout)
        // Not unref()ed: it is cleared as soon as the shutdown settles, and a hung hook must still get its rejection.
      })
      const run = start(reason ?? 'shutdown()', 0)
      sequence = Promise.race([run, deadline]).finally(() => clearTimeout(timer))
      return sequence
    }
  }

  app.decorate('lifecycle', { getter: () => lifecycle })
  app.decorate('shutdown', shutdown)

  app.addHook('onListen', async () => {
    const addresses = app.addresses()
    if (addresses.length > 1) {
      // Fastify keeps the extra listeners to itself: their connections are not drained.
      log.warn({ zerodown: 'shutdown', addresses }, 'shutdown: listening on several addresses; only the first is drained ' +
        '(its connections get Connection: close and are waited for); listen on one address, e.g. 0.0.0.0')
    }
    lifecycle.listening()
  })
  app.addHook('preClose', async () => {
    appCloseStarted = true
    hooksStartedAt ??= performance.now()
    lifecycle.advance('closing')
  })
  app.addHook('onClose', async () => {
    uninstall()
    traffic.detach()
    release()
    clearTimeout(drainTimer)
    endDrain?.()
    onClosed()
    // A direct app.close() ends here; a shutdown sequence moves to 'closed' once app.close() resolves.
    if (sequence === undefined) lifecycle.advance('closed')
  })
}

export const zerodownShutdown = fp(plugin, { fastify: '5.x', name: '@zerodown/shutdown' })
export default zerodownShutdown
