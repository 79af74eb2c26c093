import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import { access, constants } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import zerodownProbes from '@zerodown/probes'
import zerodownShutdown from '@zerodown/shutdown'
import zerodownVersion from '@zerodown/version'
import { MAX_WORK_MS } from './config.js'

export interface DemoOptions {
  /** Reported version; default ZERODOWN_APP_VERSION, then build-info.json, then package.json. */
  version?: string
  /** Default latency of GET /work in ms. */
  workMs?: number
  /** `false` leaves signals and process.exit alone, for tests that build many apps in one process. */
  exitOnShutdown?: boolean
  logger?: FastifyServerOptions['logger']
}

/** The app writes only to /tmp (an emptyDir in Kubernetes, the root filesystem being read-only). */
async function tmpWritable (): Promise<boolean> {
  await access(tmpdir(), constants.W_OK)
  return true
}

/** Builds the demo app without listening, so tests can `inject` into it. */
export async function buildApp (opts: DemoOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({ logger: opts.logger ?? false })

  // The drain, the timeout, the probe port and paths and the version come from the pod's ZERODOWN_*
  // environment, read by the plugins themselves: the demo passes none of them.
  // Shutdown first, so that its onClose work comes after every other plugin's.
  await app.register(zerodownShutdown, { ...(opts.exitOnShutdown === false && { exit: false }) })
  // Version before any route, the probes' included: it sets its header in the handlers of the routes registered after it.
  await app.register(zerodownVersion, { ...(opts.version !== undefined && { version: opts.version }) })
  await app.register(zerodownProbes, {
    checks: [{ name: 'tmp-writable', check: tmpWritable, timeout: 300 }],
    // Shed load before the event loop is saturated; memory well under a 256 MiB container limit.
    pressure: { maxEventLoopDelay: 500, maxEventLoopUtilization: 0.98, maxRssBytes: 200 * 1024 * 1024 }
  })

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
