// The demo's routes on bare Fastify, or with zerodown's plugins registered as the demo registers
// them: @zerodown/shutdown, @zerodown/version and @zerodown/probes (one quick readiness check).
// The overhead, probe latency, shutdown latency and memory figures use it.
//   WITH_PLUGINS=0 (default)  bare Fastify: the overhead's reference
//   WITH_PLUGINS=1            the three plugins
//   WITH_PLUGINS=shutdown|probes|version   one plugin alone
//   SAME_HEADER=route        with WITH_PLUGINS=0: bare Fastify whose handlers set the header
//                            @zerodown/version adds (x-app-version: $ZERODOWN_APP_VERSION), so its
//                            responses carry the same bytes as the version plugin's, without the plugin
//   SAME_HEADER=every-reply  the same header set in an onRequest hook, the way bare Fastify puts it
//                            on every reply (404s and errors too), as the plugin's default does
//   PRESSURE_SAMPLE_MS   @zerodown/probes' pressure sampleInterval (default: the plugin's, 1000);
//                   the instructions part sets it past the end of the count, its sampling being
//                   work per second, not per request
//   PRELOAD=1       imports the three plugins' packages before anything else, registered or not, so
//                   that servers differing only in what they register have loaded the same code (the
//                   instructions part: loading modules alone moves its counts by several hundred)
//   LOGGER=0        `logger: false`; by default a logger with request logging off
//                   (`disableRequestLogging: true`), as an app that logs only what matters
//   PORT, HOST      where it listens (defaults 0, 127.0.0.1)
// The plugins are registered with no timing options: like any app, they read the contract's
// variables (ZERODOWN_DRAIN_DELAY_MS, ZERODOWN_PROBE_PORT, ZERODOWN_APP_VERSION, ...).
import { setTimeout as sleep } from 'node:timers/promises'
import Fastify, { LogController } from 'fastify'

// In the order the demo registers them: shutdown first, version before any route (the probes' included).
const PLUGINS = { 0: [], 1: ['shutdown', 'version', 'probes'], shutdown: ['shutdown'], probes: ['probes'], version: ['version'] }
const mode = process.env.WITH_PLUGINS ?? '0'
if (!Object.hasOwn(PLUGINS, mode)) throw new Error(`WITH_PLUGINS must be one of ${Object.keys(PLUGINS).join(', ')}, got ${JSON.stringify(mode)}`)
const withLogger = process.env.LOGGER !== '0'
const SAME_HEADERS = ['route', 'every-reply']
const sameHeaderIn = process.env.SAME_HEADER
if (sameHeaderIn !== undefined && !SAME_HEADERS.includes(sameHeaderIn)) throw new Error(`SAME_HEADER must be one of ${SAME_HEADERS.join(', ')}, got ${JSON.stringify(sameHeaderIn)}`)
const appVersion = process.env.ZERODOWN_APP_VERSION
if (sameHeaderIn !== undefined && (mode !== '0' || appVersion === undefined || appVersion === '')) {
  throw new Error(`SAME_HEADER=${sameHeaderIn} needs WITH_PLUGINS=0 and ZERODOWN_APP_VERSION, got WITH_PLUGINS=${mode} and ZERODOWN_APP_VERSION=${JSON.stringify(appVersion)}`)
}
const sameHeader = sameHeaderIn === 'route'
const PACKAGES = { shutdown: '@zerodown/shutdown', version: '@zerodown/version', probes: '@zerodown/probes' }
if (process.env.PRELOAD === '1') for (const name of Object.values(PACKAGES)) await import(name)

const app = Fastify(withLogger ? { logger: true, logController: new LogController({ disableRequestLogging: true }) } : { logger: false })
// Each plugin is imported only when registered: an app using one of them loads only that one.
const sampleInterval = process.env.PRESSURE_SAMPLE_MS === undefined ? undefined : Number(process.env.PRESSURE_SAMPLE_MS)
const OPTIONS = { probes: { checks: [{ name: 'db', check: () => sleep(1) }], ...(sampleInterval !== undefined && { pressure: { sampleInterval } }) } }
for (const plugin of PLUGINS[mode]) await app.register((await import(PACKAGES[plugin])).default, OPTIONS[plugin])
if (sameHeaderIn === 'every-reply') {
  app.addHook('onRequest', (_request, reply, done) => {
    reply.header('x-app-version', appVersion)
    done()
  })
}
// '/', the route under load, gets a handler of its own for the header rather than a branch, so the
// bare side runs the same code as before.
const hello = sameHeader
  ? async (_request, reply) => { reply.header('x-app-version', appVersion); return { hello: 'world' } }
  : async () => ({ hello: 'world' })
app.get('/', hello)
app.get('/work', {
  schema: { querystring: { type: 'object', properties: { ms: { type: 'integer', minimum: 0, maximum: 60000 } } } }
}, async (request, reply) => {
  if (sameHeader) reply.header('x-app-version', appVersion)
  const ms = request.query.ms ?? 100
  await sleep(ms)
  return { worked: ms }
})
const address = await app.listen({ port: Number(process.env.PORT ?? 0), host: process.env.HOST ?? '127.0.0.1' })
// The harness waits for this line; Fastify logs it only when it has a logger.
if (!withLogger) console.log(`Server listening at ${address}`)
// compareThroughput starts it with --expose-gc: one full collection before the load, so both sides
// of a pair start from a settled heap (its settleHeap option says why).
globalThis.gc?.()
