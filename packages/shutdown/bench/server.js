// Hello-world server for the benchmarks; WITH_PLUGIN=1 registers @zerodown/shutdown (DRAIN_DELAY ms);
// WEBSOCKET=1 adds @fastify/websocket with a route at /ws that holds its sockets open.
import Fastify, { LogController } from 'fastify'
import zerodownShutdown from '../dist/index.js'

// Info level only for the "listening at" line the harness waits for; request logs would dominate.
const app = Fastify({ logger: true, logController: new LogController({ disableRequestLogging: true }) })
if (process.env.WITH_PLUGIN === '1') await app.register(zerodownShutdown, { drainDelay: Number(process.env.DRAIN_DELAY ?? 0) })
if (process.env.WEBSOCKET === '1') {
  await app.register((await import('@fastify/websocket')).default)
  app.register(async (app) => { app.get('/ws', { websocket: true }, () => {}) })
}
app.get('/', async () => ({ hello: 'world' }))
// CPU time this process has used, for bench/cpu-cost.js.
app.get('/cpu', async () => process.cpuUsage())
await app.listen({ port: 0, host: '127.0.0.1' })
// compareThroughput starts it with --expose-gc: one full collection before the load, so both sides
// of a pair start from a settled heap (its settleHeap option says why).
globalThis.gc?.()
