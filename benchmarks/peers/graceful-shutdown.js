// The demo's routes with fastify-graceful-shutdown as its README uses it: register the plugin, add
// a handler in `after()`. On SIGTERM or SIGINT it runs the handlers and `fastify.close()`, with its
// default 10 s timeout. It has no probes: /readyz, /livez and /startupz are plain routes, as in
// most apps that use it.
import fastifyGracefulShutdown from 'fastify-graceful-shutdown'
import { createApp, readEnv } from './app.js'

const env = readEnv()
const app = createApp(env)
await app.register(fastifyGracefulShutdown)
app.after(() => {
  app.gracefulShutdown(async (signal) => {
    app.log.info('Received signal to shutdown: %s', signal)
  })
})
for (const path of ['/readyz', '/livez', '/startupz']) app.get(path, async () => ({ status: 'ok' }))

await app.listen({ port: env.port, host: env.host })
