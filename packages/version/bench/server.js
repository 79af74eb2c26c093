// Hello-world server for the throughput benchmark; WITH_PLUGIN=1 registers @zerodown/version.
import Fastify from 'fastify'
import zerodownVersion from '../dist/index.js'

// Info level only for the "listening at" line the harness waits for; request logs would dominate.
const app = Fastify({ logger: true, disableRequestLogging: true })
// The reference registers an empty plugin in its place: on Node.js 20 registering any plugin slows
// hello-world down, whatever the plugin does (BENCHMARKS.md), and that is not this plugin's cost.
if (process.env.WITH_PLUGIN === '1') await app.register(zerodownVersion, { version: '1.0.0' })
else await app.register(async () => {})
app.get('/', async () => ({ hello: 'world' }))
await app.listen({ port: 0, host: '127.0.0.1' })
