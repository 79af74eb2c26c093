// A hello-world app with @zerodown/probes (one quick readiness check) for the latency benchmark.
//   PROBES_PORT=0  serve the probes on a listener of their own
import { setTimeout as sleep } from 'node:timers/promises'
import Fastify from 'fastify'
import zerodownProbes from '../dist/index.js'

// Info level only for the "listening at" line the harness waits for; request logs would dominate.
const app = Fastify({ logger: true, disableRequestLogging: true })
await app.register(zerodownProbes, {
  checks: [{ name: 'db', check: () => sleep(1) }],
  ...(process.env.PROBES_PORT !== undefined && { port: Number(process.env.PROBES_PORT) })
})
app.get('/', async () => ({ hello: 'world' }))
await app.listen({ port: 0, host: '127.0.0.1' })
