import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import zerodownVersion from '@zerodown/version'

export interface DemoOptions {
  version?: string
  logger?: FastifyServerOptions['logger']
}

/** Builds the demo app without listening, so tests can `inject` into it. */
export async function buildApp (opts: DemoOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({ logger: opts.logger ?? false })
  await app.register(zerodownVersion, { ...(opts.version !== undefined && { version: opts.version }) })

  app.get('/', async () => ({
    message: `Hello, world! Version: ${app.versionInfo.version}`,
    version: app.versionInfo.version,
    instance: app.versionInfo.instance
  }))
  return app
}
