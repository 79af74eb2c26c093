// The demo's routes with @godaddy/terminus set up as its README's "How to set Terminus up with
// Kubernetes?" says: health checks that fail once shutting down, a `beforeShutdown` delay (5 s in
// the README; SHUTDOWN_DELAY_MS here) so load balancers catch up, and `useExit0`. Terminus answers
// the probe paths itself, on the main port, before Fastify sees the request.
import { createTerminus } from '@godaddy/terminus'
import { createApp, readEnv } from './app.js'

const env = readEnv()
const app = createApp(env)
const delay = env.shutdownDelay ?? 5000
const healthy = async () => {}

createTerminus(app.server, {
  healthChecks: { '/readyz': healthy, '/livez': healthy, '/startupz': healthy },
  beforeShutdown: () => new Promise((resolve) => setTimeout(resolve, delay)),
  useExit0: true,
  logger: (message, err) => app.log.error({ err }, message)
})

await app.listen({ port: env.port, host: env.host })
