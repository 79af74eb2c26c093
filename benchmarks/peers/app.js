// What every peer app shares with the demo: the same routes, the same environment and a version
// header, so that a rehearsal compares only how each one shuts down and answers its probes.
import { setTimeout as sleep } from 'node:timers/promises'
import Fastify, { LogController } from 'fastify'

/** Longest GET /work, as the demo's bound. */
const MAX_WORK_MS = 60_000

/** Reads PORT, HOST, ZERODOWN_APP_VERSION (the contract's version variable), LOG_LEVEL and SHUTDOWN_DELAY_MS (the peer's own delay setting). */
export function readEnv (env = process.env) {
  const port = Number(env.PORT ?? 8080)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be an integer from 0 to 65535, got ${JSON.stringify(env.PORT)}`)
  const delay = env.SHUTDOWN_DELAY_MS === undefined ? undefined : Number(env.SHUTDOWN_DELAY_MS)
  if (delay !== undefined && !(Number.isInteger(delay) && delay >= 0)) throw new Error(`SHUTDOWN_DELAY_MS must be an integer >= 0, got ${JSON.stringify(env.SHUTDOWN_DELAY_MS)}`)
  return {
    port,
    host: env.HOST ?? '127.0.0.1',
    version: env.ZERODOWN_APP_VERSION ?? '0.0.0',
    logLevel: env.LOG_LEVEL ?? 'info',
    shutdownDelay: delay
  }
}

/** A Fastify app with the demo's routes: GET / (fast) and GET /work?ms=N (slow), and x-app-version. */
export function createApp ({ version, logLevel }) {
  // Info level for Fastify's "Server listening at" line; request logs would dominate the figures.
  const app = Fastify({ logger: { level: logLevel }, logController: new LogController({ disableRequestLogging: true }) })
  app.addHook('onSend', async (_request, reply) => { reply.header('x-app-version', version) })
  app.get('/', async () => ({ message: `Hello, world! Version: ${version}`, version }))
  app.get('/work', {
    schema: { querystring: { type: 'object', properties: { ms: { type: 'integer', minimum: 0, maximum: MAX_WORK_MS } } } }
  }, async (request) => {
    const ms = request.query.ms ?? 100
    await sleep(ms)
    return { worked: ms, version }
  })
  return app
}
