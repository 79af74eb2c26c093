import type { AddressInfo } from 'node:net'
import type { FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'
import { createAnswerer } from './answer.js'
import { CheckRunner } from './checks.js'
import { ProbesInvalidOptionError, ProbesPortConflictError } from './errors.js'
import { LifecycleReader, type LifecycleState } from './lifecycle.js'
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
  ProbesPortConflictError
} from './errors.js'

/** What `fastify.probes` offers. */
export interface Probes {
  /** Adds a readiness check; throws a coded error when malformed or when the name is taken. */
  addCheck (name: string, check: CheckFunction, settings?: CheckSettings): void
  /** Keeps startup (and readiness) failing until `work` resolves, even once listening; for good if it rejects. */
  addStartupWork (work: Promise<unknown>): void
  /** The state the probes answer from: the lifecycle's when decorated, else their own. */
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
  const lifecycle = new LifecycleReader(app)
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
      lifecycle.addStartupWork(Promise.resolve(work), (err) => {
        app.log.error({ err }, 'startup work declared to @zerodown/probes failed; the startup probe keeps failing')
      })
    },
    get state () { return lifecycle.state },
    get port () { return probeServer?.address?.port }
  }
  app.decorate('probes', { getter: () => probes })

  app.addHook('onListen', async () => {
    lifecycle.markListening()
    if (probeServer === undefined || options.port === undefined) return
    const main = app.server.address()
    const mainAddress = main !== null && typeof main === 'object' ? main : undefined
    if (options.port !== 0 && mainAddress?.port === options.port) throw new ProbesPortConflictError(options.port, options.settings.port.source)
    const host = options.host ?? mainAddress?.address ?? '0.0.0.0'
    probeServerStarting = probeServer.listen(options.port, host)
    const bound = await probeServerStarting
    app.log.info({ probes: bound }, `probes answering on port ${bound.port}`)
  })
  app.addHook('preClose', async () => { lifecycle.markClosing() })
  // The probe listener closes last: onClose hooks run after the main server stopped.
  app.addHook('onClose', async () => {
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
    app.get(path, routeOptions, async (request, reply) => {
      const verbose = options.verbose || wantsVerbose((request.query as Record<string, unknown> | undefined)?.verbose)
      const answer = await answerer.answer(kind, verbose)
      reply.code(answer.statusCode).header('cache-control', 'no-store')
      return answer.body
    })
  }
}

export const zerodownProbes = fp(plugin, { fastify: '5.x', name: '@zerodown/probes' })
export default zerodownProbes
