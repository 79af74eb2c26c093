// The demo's routes with lightship as its README recipe sets it up: `signalReady()` once listening,
// the server's close as the shutdown handler, and its Kubernetes `shutdownDelay` (5 s by default,
// "should match readinessProbe.periodSeconds"; SHUTDOWN_DELAY_MS here).
//
// Lightship serves its probes on a listener of its own (port 9000 in Kubernetes). The rehearsal
// probes the main port, so /readyz, /livez and /startupz here answer exactly what lightship's
// /ready and /live answer, from the same state (`isServerReady()`, `isServerShuttingDown()`);
// its own listener runs too, on a free port so that several pods fit on one machine.
import { createLightship } from 'lightship'
import { createApp, readEnv } from './app.js'

const env = readEnv()
const app = createApp(env)
const lightship = await createLightship({
  // Behave as in Kubernetes (local mode would make shutdownDelay 0) but on a free port.
  detectKubernetes: false,
  port: 0,
  ...(env.shutdownDelay !== undefined && { shutdownDelay: env.shutdownDelay })
})

const answer = (ok, yes, no) => async (_request, reply) => reply.code(ok() ? 200 : 500).send(ok() ? yes : no)
app.get('/readyz', answer(() => lightship.isServerReady(), 'SERVER_IS_READY', 'SERVER_IS_NOT_READY'))
app.get('/livez', answer(() => !lightship.isServerShuttingDown(), 'SERVER_IS_NOT_SHUTTING_DOWN', 'SERVER_IS_SHUTTING_DOWN'))
// The README points the startup probe at the liveness endpoint.
app.get('/startupz', answer(() => !lightship.isServerShuttingDown(), 'SERVER_IS_NOT_SHUTTING_DOWN', 'SERVER_IS_SHUTTING_DOWN'))

lightship.registerShutdownHandler(() => app.close())

try {
  await app.listen({ port: env.port, host: env.host })
  lightship.signalReady()
} catch (err) {
  app.log.error({ err }, 'could not listen')
  await lightship.shutdown()
}
