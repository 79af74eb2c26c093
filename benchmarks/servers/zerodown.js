// The demo's routes on bare Fastify, or (WITH_PLUGINS=1) with the three zerodown plugins as the
// demo registers them: @zerodown/shutdown, @zerodown/probes (one quick readiness check) and
// @zerodown/version. The overhead, probe latency, shutdown latency and memory figures use it.
//   WITH_PLUGINS=stand-ins  the same packages loaded, three empty plugins registered in their place:
//                   the overhead's reference (see BENCHMARKS.md: on Node.js 20 a Fastify app that has
//                   loaded a package and registered any plugin serves hello-world slower than one
//                   that registered none, whatever the plugin does)
//   DRAIN_DELAY=ms  the shutdown plugin's drainDelay (default 0; DRAIN_DELAY_MS as the chart names it)
//   PROBE_PORT=n    serve the probes on a listener of their own (0 = any free port)
//   PORT, HOST, APP_VERSION as the demo reads them (defaults 0, 127.0.0.1, 1.0.0)
import { setTimeout as sleep } from 'node:timers/promises'
import Fastify, { LogController } from 'fastify'

// Info level only for the "listening at" line the harness waits for; request logs would dominate.
const app = Fastify({ logger: true, logController: new LogController({ disableRequestLogging: true }) })
const mode = process.env.WITH_PLUGINS ?? '0'
if (mode === '1' || mode === 'stand-ins') {
  const [{ default: shutdown }, { default: probes }, { default: version }] = await Promise.all([
    import('@zerodown/shutdown'), import('@zerodown/probes'), import('@zerodown/version')
  ])
  if (mode === '1') {
    await app.register(shutdown, { drainDelay: Number(process.env.DRAIN_DELAY ?? process.env.DRAIN_DELAY_MS ?? 0) })
    await app.register(probes, {
      checks: [{ name: 'db', check: () => sleep(1) }],
      ...(process.env.PROBE_PORT !== undefined && { port: Number(process.env.PROBE_PORT) })
    })
    await app.register(version, { version: process.env.APP_VERSION ?? '1.0.0' })
  } else {
    for (let i = 0; i < 3; i++) await app.register(async () => {})
  }
} else if (mode !== '0') {
  throw new Error(`WITH_PLUGINS must be 0, 1 or stand-ins, got ${JSON.stringify(mode)}`)
}
app.get('/', async () => ({ hello: 'world' }))
app.get('/work', {
  schema: { querystring: { type: 'object', properties: { ms: { type: 'integer', minimum: 0, maximum: 60000 } } } }
}, async (request) => {
  const ms = request.query.ms ?? 100
  await sleep(ms)
  return { worked: ms }
})
await app.listen({ port: Number(process.env.PORT ?? 0), host: process.env.HOST ?? '127.0.0.1' })
