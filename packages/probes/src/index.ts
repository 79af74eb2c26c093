import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { FastifyInstance, FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'
import { claimRoute } from '@zerodown/contract'
import { createAnswerer } from './answer.js'
import { CheckRunner } from './checks.js'
import { ProbesInvalidOptionError, ProbesPathTakenError, ProbesPortConflictError } from './errors.js'
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
  ProbesPathTakenError,
  ProbesPortConflictError
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
    : new ProbeServer(options.routes, answerer, options.verbose, onProbeServerError)
  let probeServerStarting: Promise<AddressInfo> | undefined

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

  if (options.port !== undefined && options.port !== 0) refusePortConflict(app, options.port, options.settings.port.source)

  app.addHook('onReady', async () => { lifecycle.choose() })
  app.addHook('onListen', async () => {
    lifecycle.listening()
    if (probeServer === undefined || options.port === undefined) return
    const main = app.server.address()
    const mainAddress = main !== null && typeof main === 'object' ? main : undefined
    const host = options.host ?? mainAddress?.address ?? '0.0.0.0'
    probeServerStarting = probeServer.listen(options.port, host)
    const bound = await probeServerStarting
    app.log.info({ probes: bound }, `probes answering on port ${bound.port}`)
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
      const verbose = options.verbose || wantsVerbose((request.query as Record<string, unknown> | undefined)?.verbose)
      const answer = await answerer.answer(kind, verbose)
      reply.code(answer.statusCode).header('cache-control', 'no-store')
      return answer.body
    }))
  }
}

/**
 * The main port is only known when listen() binds it, and an error thrown from onListen can only be
 * logged. So the first bind of the main server is checked before it happens: asked for the probe
 * port, it binds nothing and fails with ProbesPortConflictError on its 'error' event, which is what
 * makes Fastify's listen() reject (or call its callback with the error).
 */
function refusePortConflict (app: FastifyInstance, port: number, source: string): void {
  const server = app.server
  const bind = server.listen
  server.listen = function listen (this: Server, ...args: unknown[]) {
    server.listen = bind
    const wanted = (args[0] as { port?: unknown } | null | undefined)?.port
    if (wanted === undefined || Number(wanted) !== port) return bind.apply(this, args as Parameters<Server['listen']>)
    process.nextTick(() => server.emit('error', new ProbesPortConflictError(port, source)))
    return this
  } as Server['listen']
}

export const zerodownProbes = fp(plugin, { fastify: '5.x', name: '@zerodown/probes' })
export default zerodownProbes
