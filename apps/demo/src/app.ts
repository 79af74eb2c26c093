import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import { setTimeout as sleep } from 'node:timers/promises'
import zerodownVersion from '@zerodown/version'
import { MAX_WORK_MS } from './config.js'

export interface DemoOptions {
  /** Reported version; default APP_VERSION, then build-info.json, then package.json. */
  version?: string
  /** Default latency of GET /work in ms. */
  workMs?: number
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

  const defaultWorkMs = opts.workMs ?? 100
  app.get<{ Querystring: { ms?: number } }>('/work', {
    schema: {
      querystring: {
        type: 'object',
        properties: { ms: { type: 'integer', minimum: 0, maximum: MAX_WORK_MS } },
        additionalProperties: false
      }
    }
  }, async (request) => {
    const ms = request.query.ms ?? defaultWorkMs
    await sleep(ms)
    return { worked: ms, version: app.versionInfo.version }
  })

  return app
}
