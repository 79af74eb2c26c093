import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import zerodownProbes, { type ProbesOptions } from '@zerodown/probes'
import zerodownShutdown, { type ShutdownOptions } from '@zerodown/shutdown'
import zerodownVersion from '@zerodown/version'
import type { Entry, Order, Place } from './entry.js'

/** The route prefix of the encapsulated context. */
export const PREFIX = '/scope'
/** What every reply's `x-app-version` must say. */
export const VERSION = '3.1.4-compat'

export interface AppOptions {
  entry: Entry
  order: Order
  place: Place
  server?: FastifyServerOptions
  shutdown?: ShutdownOptions
  probes?: ProbesOptions
}

export interface CompatApp {
  app: FastifyInstance
  /** The instance the ecosystem plugin and the common routes are on. */
  scope: FastifyInstance
  /** Its route prefix: '' at the root. */
  base: string
}

/**
 * A real app: the three zerodown plugins at the root, and the ecosystem plugin registered before
 * or after them, at the root or in an encapsulated context with a route prefix, each with the
 * common routes behind it (GET /hello, /boom that throws, /slow?ms=N).
 */
export async function buildApp (opts: AppOptions): Promise<CompatApp> {
  const app = Fastify(opts.server) as unknown as FastifyInstance
  let scope = app
  const ecosystem = async (): Promise<void> => {
    if (opts.place === 'root') return withRoutes(app, opts.entry)
    await app.register(async (child) => {
      scope = child
      await withRoutes(child, opts.entry)
    }, { prefix: PREFIX })
  }
  const zerodown = async (): Promise<void> => {
    await app.register(zerodownShutdown, opts.shutdown ?? {})
    await app.register(zerodownProbes, opts.probes ?? {})
    await app.register(zerodownVersion, { version: VERSION })
  }
  if (opts.order === 'before') {
    await ecosystem()
    await zerodown()
  } else {
    await zerodown()
    await ecosystem()
  }
  return { app, scope, base: opts.place === 'root' ? '' : PREFIX }
}

async function withRoutes (scope: FastifyInstance, entry: Entry): Promise<void> {
  await entry.register(scope)
  scope.get('/hello', async () => ({ hello: 'world' }))
  scope.get('/boom', async () => { throw new Error('boom') })
  scope.get<{ Querystring: { ms?: string } }>('/slow', async (request) => {
    await new Promise((resolve) => setTimeout(resolve, Number(request.query.ms ?? 1000)))
    return { slow: true }
  })
}
