import type { Server } from 'node:http'
import type { FastifyInstance, FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'
import { claimRoute } from '@zerodown/contract'
import { createAnswerer } from './answer.js'
import { CheckRunner } from './checks.js'
import { ProbesInvalidOptionError, ProbesListenError, ProbesPathTakenError, ProbesPortConflictError, ProbesPortInUseError } from './errors.js'
import { LifecycleLink, type LifecycleState } from './lifecycle.js'
import { describe, resolveCheck, resolveOptions, type CheckFunction, type CheckSettings, type ProbeSettings, type ProbesOptions } from './options.js'
import { letThrough, watchPressure } from './pressure.js'
import { ProbeServer } from './probe-server.js'
import { wantsVerbose } from './verbose.js'

export type { ProbeAnswer, ProbeBody } from './answer.js'
export type { CheckResult } from './checks.js'
export type { Lifecycle, LifecycleState } from './lifecycle.js'
export type { CheckContext, CheckDefinition, CheckFunction, CheckSettings, PressureOptions, ProbePaths, ProbesOptions } from './options.js'
export { ENV } from './options.js'
export {
  ProbesDuplicateCheckError,
  ProbesDuplicatePathError,
  ProbesInvalidCheckError,
  ProbesInvalidEnvError,
  ProbesInvalidOptionError,
  ProbesListenError,
  ProbesPathTakenError,
  ProbesPortConflictError,
  ProbesPortInUseError
} from './errors.js'

/** What `fastify.probes` offers. */
export interface Probes {
  /** Adds a readiness check; throws a coded error when malformed or when the name is taken. */
  addCheck (name: string, check: CheckFunction, settings?: CheckSettings): void
  /**
   * The lifecycle's `addStartupWork()`: keeps startup (and readiness) failing after listen() until
   * `work` resolves, for good if it rejects. Work added once the instance has left 'starting' is
   * logged and never takes a ready instance out of service.
   */
  addStartupWork (work: PromiseLike<unknown>): void
  /** The state the probes answer from: always `app.lifecycle.state` when @zerodown/shutdown is registered. */
  readonly state: LifecycleState
  /** The port of the separate probe listener once it listens; `undefined` otherwise. */
  readonly port: number | undefined
}

declare module 'fastify' {
  interface FastifyInstance {
    readonly probes: Probes
  }
}

/** One line: each contract value and where it came from. */
function describeSettings ({ paths, checkTimeout, port }: ProbeSettings): string {
  const path = (kind: keyof ProbeSettings['paths']): string =>
    `${kind} ${paths[kind].value === false ? 'off' : paths[kind].value} (${paths[kind].source})`
  const where = port.value === undefined ? `on the main port (${port.source})` : `on port ${port.value} (${port.source})`
  return `probes: ${path('liveness')}, ${path('readiness')}, ${path('startup')}, checkTimeout ${checkTimeout.value} ms (${checkTimeout.source}), ${where}`
}

const plugin: FastifyPluginAsync<ProbesOptions> = async (app, opts) => {
  const options = resolveOptions(opts)
  app.log.info({ zerodown: 'probes', settings: options.settings }, describeSettings(options.settings))
  const lifecycle = new LifecycleLink(app)
  const checks = new CheckRunner(options.cacheTtl, app.log)
  for (const check of options.checks) checks.add(check)
  const underPressure = await watchPressure(app, options.pressure)
  const answerer = createAnswerer(lifecycle, checks, underPressure)
  const onProbeServerError = (err: Error): void => app.log.error({ err }, 'the @zerodown/probes listener failed')
  const probeServer = options.port === undefined
    ? undefined
    : new ProbeServer(options.routes, answerer, { always: options.verbose, onQuery: options.verboseQuery }, onProbeServerError)
  let probeServerStarting: Promise<unknown> | undefined

  const probes: Probes = {
    addCheck (name, check, settings) {
      checks.add(resolveCheck('addCheck()', name, check, settings, options.checkTimeout))
    },
    addStartupWork (work) {
      if (typeof (work as { then?: unknown } | null)?.then !== 'function') {
        throw new ProbesInvalidOptionError('addStartupWork(work)', 'a promise', describe(work))
      }
      lifecycle.addStartupWork(work)
    },
    get state () { return lifecycle.state },
    get port () { return probeServer?.address?.port }
  }
  app.decorate('probes', { getter: () => probes })

  if (probeServer !== undefined && options.port !== undefined) {
    const port = options.port
    bindProbesFirst(app, { port, host: options.host, source: options.settings.port.source }, (host) => {
      probeServerStarting = probeServer.listen(port, host)
      return probeServerStarting
    }, () => probeServer.close())
  }

  app.addHook('onReady', async () => { lifecycle.choose() })
  app.addHook('onListen', async () => {
    lifecycle.listening()
    const bound = probeServer?.address
    if (bound !== undefined) app.log.info({ probes: bound }, `probes answering on port ${bound.port}`)
  })
  app.addHook('preClose', async () => { lifecycle.closing() })
  // The probe listener closes last: onClose hooks run after the main server stopped.
  app.addHook('onClose', async () => {
    lifecycle.closed()
    checks.stop()
    await probeServerStarting?.catch(() => undefined)
    await probeServer?.close()
  })

  if (probeServer !== undefined) return
  const routeOptions = {
    // Probes every few seconds from every kubelet would drown the request log.
    ...(!options.logRequests && { logLevel: 'silent' as const }),
    // Probes always answer, whatever under-pressure does to user requests.
    config: { pressureHandler: letThrough }
  }
  for (const [path, kind] of options.routes) {
    const taken = (): Error => new ProbesPathTakenError(path, options.settings.paths[kind].source)
    claimRoute(app, path, taken, () => app.get(path, routeOptions, async (request, reply) => {
      const verbose = options.verbose || (options.verboseQuery && wantsVerbose((request.query as Record<string, unknown> | undefined)?.verbose))
      const answer = await answerer.answer(kind, verbose)
      reply.code(answer.statusCode).header('cache-control', 'no-store')
      return answer.body
    }))
  }
}

interface ProbePort {
  port: number
  /** The `host` option; else the host the main server is asked to bind. */
  host: string | undefined
  source: string
}

/**
 * The probe listener binds when the main server is asked to, and before it: `listen()` rejects (or
 * calls its callback with the error) when the probes cannot have their port, and nothing is left
 * bound. An error in an onListen hook could only be logged, leaving a running app that no probe
 * reaches. The main server's `listen()` is wrapped until it listens: asked for the probe port itself,
 * it fails with ProbesPortConflictError; when the probe port is taken, with ProbesPortInUseError;
 * when the main bind fails after the probes bound, the probe listener is closed again. The errors
 * reach Fastify through the main server's 'error' event, where its listen() waits for them.
 * `close` is not awaited: the probe listener's close never fails, and nothing waits for it.
 */
function bindProbesFirst (app: FastifyInstance, probe: ProbePort, listen: (host: string) => Promise<unknown>, close: () => unknown): void {
  const server = app.server
  const bind = server.listen
  // Until the main server listens: a listen() that failed may be tried again.
  server.once('listening', () => { server.listen = bind })
  server.listen = function listenAfterProbes (this: Server, ...args: unknown[]) {
    const { port, host } = requested(args)
    if (probe.port !== 0 && port === probe.port) {
      process.nextTick(() => server.emit('error', new ProbesPortConflictError(probe.port, probe.source)))
      return this
    }
    const probeHost = probe.host ?? host ?? '0.0.0.0'
    listen(probeHost).then(() => {
      const undo = (): void => { close() }
      server.once('error', undo)
      server.once('listening', () => server.off('error', undo))
      bind.apply(this, args as Parameters<Server['listen']>)
    }, (err: NodeJS.ErrnoException) => {
      const refused = err.code === 'EADDRINUSE'
        ? new ProbesPortInUseError(probe.port, probe.source, probeHost)
        : new ProbesListenError(probeHost, probe.port, probe.source, err.message)
      server.emit('error', Object.assign(refused, { cause: err }))
    })
    return this
  } as Server['listen']
}

/**
 * The port and host of a `server.listen()` call as Fastify makes it, `listen({ port, host })`; a
 * direct call in another form (`listen(port)`, a pipe path) tells neither.
 */
function requested (args: unknown[]): { port: number, host: string | undefined } {
  const { port, host } = (typeof args[0] === 'object' && args[0] !== null ? args[0] : {}) as { port?: unknown, host?: unknown }
  // NaN when not given: equal to no probe port.
  return { port: Number(port), host: typeof host === 'string' ? host : undefined }
}

export const zerodownProbes = fp(plugin, { fastify: '5.x', name: '@zerodown/probes' })
export default zerodownProbes
