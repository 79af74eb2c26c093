// Hello-world server for the throughput benchmark; WITH_PLUGIN=1 registers @zerodown/version.
import Fastify from 'fastify'
import zerodownVersion from '../dist/index.js'

// Info level only for the "listening at" line the harness waits for; request logs would dominate.
const app = Fastify({ logger: true, disableRequestLogging: true })
if (process.env.WITH_PLUGIN === '1') await app.register(zerodownVersion, { version: '1.0.0' })
app.get('/', async () => ({ hello: 'world' }))
await app.listen({ port: 0, host: '127.0.0.1' })
// compareThroughput starts it with --expose-gc: one full collection before the load, so both sides
// of a pair start from a settled heap (its settleHeap option says why).
globalThis.gc?.()
