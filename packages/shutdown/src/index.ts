import type { FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'
import type { Http2Server } from 'node:http2'
import { ShutdownAlreadyRegisteredError, ShutdownOtherHandlerError } from './errors.js'
import { trackHttp2Sessions } from './http2.js'
import { createLifecycle, LIFECYCLE_DECORATOR, type Lifecycle } from './lifecycle.js'
import { resolveOptions, type ShutdownOptions } from './options.js'
import { handleProcessEvents } from './process-events.js'
import { claimProcess } from './process-claim.js'
import { LongLivedConnections } from './long-lived.js'
import { ShutdownSequence } from './sequence.js'
import { createShutdownSignals, type ShutdownSignals } from './signals.js'
import { trackTraffic } from './traffic.js'

export { WEBSOCKET_CLOSE_CODE } from './long-lived.js'
export type { ShutdownSignals } from './signals.js'
export { findLifecycle, LIFECYCLE_DECORATOR, type Lifecycle, type LifecycleState } from './lifecycle.js'
export { DEFAULTS, ENV, SUPPORTED_SIGNALS, type ShutdownOptions, type ShutdownSignal } from './options.js'
export {
  ShutdownAlreadyRegisteredError,
  ShutdownInvalidEnvError,
  ShutdownInvalidOptionError,
  ShutdownInvalidTimingError,
  ShutdownOtherHandlerError,
  ShutdownTimeoutError
} from './errors.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The instance's lifecycle (`starting → ready → draining → closing → closed`), read-only. */
    readonly lifecycle: Lifecycle
    /** Starts the same drain -> close -> exit sequence as SIGTERM. */
    shutdown (reason?: string): Promise<void>
    /**
     * Registers a long-lived connection this app handles itself (e.g. its own `upgrade` handler):
     * `close` is called once, during the drain (spread over its window with the other long-lived
     * connections) or when closing begins, and should ask the peer to go politely; closing waits
     * for the promise it returns. Returns the function to call when the connection ends by itself.
     */
    addLongLivedConnection (close: () => unknown): () => void
    /** Signals that abort when the drain begins and when closing begins, for handlers that stream. */
    readonly shutdownSignals: ShutdownSignals
  }
}

const plugin: FastifyPluginAsync<ShutdownOptions> = async (app, opts) => {
  if (app.hasDecorator(LIFECYCLE_DECORATOR)) throw new ShutdownAlreadyRegisteredError('on this Fastify instance')
  const options = resolveOptions(opts)
  const release = options.exit ? claimProcess() : () => {}
  const { drainDelay, timeout } = options.settings
  app.log.info({ zerodown: 'shutdown', settings: options.settings, signals: options.signals },
    `shutdown: drainDelay ${drainDelay.value} ms (${drainDelay.source}), timeout ${timeout.value} ms (${timeout.source}), ` +
    `on ${options.signals.join(', ')}`)
  const lifecycle = createLifecycle(app.log, '@zerodown/shutdown')
  const traffic = trackTraffic(app.server, {
    /* c8 ignore next 4 -- only on a Node.js without socket._httpMessage; test/plugin.test.ts checks this one has it and tests the fallback itself */
    onFollowRequests: () => {
      app.log.warn({ zerodown: 'shutdown' }, 'shutdown: this Node.js does not keep the response a socket serves (socket._httpMessage); ' +
        'following every request instead, which costs a little per request')
    }
  })
  const http2 = app.initialConfig.http2 === true ? trackHttp2Sessions(app.server as unknown as Http2Server) : undefined
  const longLived = new LongLivedConnections(app)
  const signals = createShutdownSignals(lifecycle.view)
  const sequence = new ShutdownSequence({ app, lifecycle, traffic, http2, longLived, options })
  const processEvents = options.exit ? handleProcessEvents(sequence, options, app.log) : undefined

  app.decorate(LIFECYCLE_DECORATOR, { getter: () => lifecycle.view })
  app.decorate('lifecycle', { getter: () => lifecycle.view })
  app.decorate('shutdownSignals', { getter: () => signals.view })
  app.decorate('addLongLivedConnection', (close: () => unknown) => longLived.register(close))
  app.decorate('shutdown', (reason?: string) => processEvents?.shutdown(reason) ?? sequence.run(reason ?? 'shutdown()'))

  // fastify-cli's `fastify start` installs its close-with-grace after loading the app, before listen().
  app.addHook('onReady', async () => {
    const signals = processEvents?.otherHandlers() ?? []
    if (signals.length > 0) throw new ShutdownOtherHandlerError(signals.join(', '))
  })
  app.addHook('onListen', async () => {
    const addresses = app.addresses()
    /* c8 ignore next 5 -- only when a host name resolves to several addresses (localhost to 127.0.0.1 and ::1); the test machines resolve it to one */
    if (addresses.length > 1) {
      // Fastify keeps the extra listeners to itself: their connections are not drained.
      app.log.warn({ zerodown: 'shutdown', addresses }, 'shutdown: listening on several addresses; only the first is drained ' +
        '(its connections get Connection: close and are waited for); listen on one address, e.g. 0.0.0.0')
    }
    lifecycle.listening()
  })
  app.addHook('preClose', async () => { sequence.closeStarted() })
  app.addHook('onClose', async () => {
    processEvents?.uninstall()
    traffic.detach()
    http2?.detach()
    longLived.stop()
    signals.detach()
    release()
    sequence.closed()
  })
}

export const zerodownShutdown = fp(plugin, { fastify: '5.x', name: '@zerodown/shutdown' })
export default zerodownShutdown
