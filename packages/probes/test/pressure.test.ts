import Fastify, { type FastifyInstance } from 'fastify'
import underPressure from '@fastify/under-pressure'
import { test, type Test } from 'tap'
import zerodownProbes, { type ProbesOptions } from '../src/index.js'
import { resolveOptions } from '../src/options.js'

const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

async function listen (t: Test, opts: ProbesOptions): Promise<FastifyInstance> {
  const app = Fastify()
  t.teardown(() => app.close())
  // These tests read the details with ?verbose on the main port, where an option must allow it.
  await app.register(zerodownProbes, { verboseQuery: true, ...opts })
  app.get('/', async () => ({ hello: 'world' }))
  await app.listen({ port: 0, host: '127.0.0.1' })
  return app
}

async function waitFor (condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await tick(10)
  }
}

test('an event loop driven into a stall: readiness fails, liveness and startup stay 200, then it recovers', async (t) => {
  const app = await listen(t, { pressure: { maxEventLoopDelay: 100, sampleInterval: 50 } })
  t.equal((await app.inject('/readyz')).statusCode, 200, 'ready before the stall')

  // Block the loop for 250 ms out of every 260 ms: the mean delay goes far above 100 ms.
  const stall = setInterval(() => { const end = performance.now() + 250; while (performance.now() < end); }, 10)
  t.teardown(() => clearInterval(stall))
  await waitFor(() => app.isUnderPressure(), 'pressure')
  const [ready, live, startup, user] = await Promise.all(['/readyz?verbose', '/livez', '/startupz', '/'].map((url) => app.inject(url)))
  t.equal(ready!.statusCode, 503, 'readiness fails under pressure')
  t.same(ready!.json(), { status: 'fail', state: 'ready', underPressure: true })
  t.equal(live!.statusCode, 200, 'liveness stays 200')
  t.equal(startup!.statusCode, 200, 'startup stays 200')
  t.equal(user!.statusCode, 200, 'user requests are served by default')

  clearInterval(stall)
  await waitFor(() => !app.isUnderPressure(), 'the pressure to pass')
  t.equal((await app.inject('/readyz')).statusCode, 200, 'ready again once the loop breathes')
})

test('rejectRequests: user requests get 503 + Retry-After under pressure; the probes still answer', async (t) => {
  const app = await listen(t, { pressure: { maxHeapUsedBytes: 1, sampleInterval: 10, rejectRequests: true, retryAfter: 7 } })
  await waitFor(() => app.isUnderPressure(), 'pressure')
  const user = await app.inject('/')
  t.equal(user.statusCode, 503)
  t.equal(user.headers['retry-after'], '7')
  t.equal((await app.inject('/livez')).statusCode, 200, 'liveness answers 200')
  t.equal((await app.inject('/startupz')).statusCode, 200, 'startup answers 200')
  const ready = await app.inject('/readyz')
  t.equal(ready.statusCode, 503, 'readiness answers (503) instead of being rejected')
  t.same(ready.json(), { status: 'fail' }, 'the answer is the probe\'s, not under-pressure\'s error')
})

test('each threshold is handed to under-pressure', async (t) => {
  const cases: Array<[string, ProbesOptions['pressure']]> = [
    ['heap', { maxHeapUsedBytes: 1, sampleInterval: 10 }],
    ['rss', { maxRssBytes: 1, sampleInterval: 10 }],
    ['event-loop utilisation', { maxEventLoopUtilization: 0.000001, sampleInterval: 10 }]
  ]
  for (const [title, pressure] of cases) {
    const app = await listen(t, { pressure })
    // Keep the loop a little busy so utilisation over an interval is above zero.
    const busy = setInterval(() => { const end = performance.now() + 2; while (performance.now() < end); }, 5)
    await waitFor(() => app.isUnderPressure(), `${title} pressure`)
    clearInterval(busy)
    t.equal((await app.inject('/readyz')).statusCode, 503, `${title}: readiness fails`)
    t.equal((await app.inject('/')).statusCode, 200, `${title}: user requests served (rejectRequests defaults to false)`)
  }
})

test('pressure: false does not watch pressure at all', async (t) => {
  const app = await listen(t, { pressure: false })
  t.notOk(app.hasDecorator('isUnderPressure'))
  t.equal((await app.inject('/readyz')).statusCode, 200)
})

test('an under-pressure the app registered itself is reused', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(underPressure, { maxHeapUsedBytes: 1, sampleInterval: 10, pressureHandler: () => undefined })
  await app.register(zerodownProbes)
  await app.listen({ port: 0, host: '127.0.0.1' })
  await waitFor(() => app.isUnderPressure(), 'pressure')
  t.equal((await app.inject('/readyz')).statusCode, 503)
  t.equal((await app.inject('/livez')).statusCode, 200)
})

test('default thresholds: only the mean event-loop delay is watched, above 1 s; memory and utilisation are off', async (t) => {
  t.match(resolveOptions({ env: {} }).pressure, { maxEventLoopDelay: 1000, maxEventLoopUtilization: 0, maxHeapUsedBytes: 0, maxRssBytes: 0, sampleInterval: 1000 })
  const app = await listen(t, {})
  t.ok(app.hasDecorator('isUnderPressure'), 'pressure is watched by default')
  t.same(Object.keys(app.memoryUsage()).sort(), ['eventLoopDelay', 'eventLoopUtilized', 'heapUsed', 'rssBytes'])
  t.equal((await app.inject('/readyz')).statusCode, 200, 'an idle process is not under pressure')
})

// The comparison is under-pressure's (mean delay > maxEventLoopDelay); a short threshold and
// interval check both sides of it without a test that stalls for seconds. The stalls sit far on
// either side of the threshold: on a busy machine the scheduler adds its own delay (a 200 ms
// threshold over stalls of 50 ms saw pressure at a load of 10).
test('maxEventLoopDelay: a mean delay below it is no pressure, one above it is', async (t) => {
  const app = await listen(t, { pressure: { maxEventLoopDelay: 500, sampleInterval: 100 } })
  const stall = (ms: number): NodeJS.Timeout => setInterval(() => { const end = performance.now() + ms; while (performance.now() < end); }, 10)
  const below = stall(20)
  t.teardown(() => clearInterval(below))
  let sawPressure = false
  const watchUntil = performance.now() + 800
  while (performance.now() < watchUntil) { sawPressure ||= app.isUnderPressure(); await tick(10) }
  clearInterval(below)
  t.notOk(sawPressure, `stalls of 20 ms (mean delay ${Math.round(app.memoryUsage().eventLoopDelay)} ms) stay under 500 ms`)
  const above = stall(800)
  t.teardown(() => clearInterval(above))
  await waitFor(() => app.isUnderPressure(), 'pressure from stalls of 800 ms')
  t.ok(app.memoryUsage().eventLoopDelay > 500, `stalls of 800 ms (mean delay ${Math.round(app.memoryUsage().eventLoopDelay)} ms) count`)
  clearInterval(above)
  t.equal((await app.inject('/readyz')).statusCode, 503)
})

test('only watching (the default): under-pressure is not on the path of user requests', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(zerodownProbes, { pressure: { maxHeapUsedBytes: 1, sampleInterval: 10 } })
  let handled = 0
  // under-pressure's onRequest hook calls a route's own pressureHandler when it runs under pressure.
  app.get('/', { config: { pressureHandler: () => { handled++ } } }, async () => ({ hello: 'world' }))
  await app.listen({ port: 0, host: '127.0.0.1' })
  await waitFor(() => app.isUnderPressure(), 'pressure')
  t.equal((await app.inject('/')).statusCode, 200)
  t.equal((await app.inject('/readyz')).statusCode, 503, 'readiness sees the pressure')
  t.equal(handled, 0, 'no pressure hook ran for the user route')
})

test('rejectRequests: under-pressure is on the path of user requests, and a route\'s pressureHandler wins', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(zerodownProbes, { pressure: { maxHeapUsedBytes: 1, sampleInterval: 10, rejectRequests: true } })
  let handled = 0
  app.get('/', { config: { pressureHandler: () => { handled++ } } }, async () => ({ hello: 'world' }))
  await app.listen({ port: 0, host: '127.0.0.1' })
  await waitFor(() => app.isUnderPressure(), 'pressure')
  t.equal((await app.inject('/')).statusCode, 200, 'the route\'s handler let it through')
  t.equal(handled, 1, 'the route\'s pressureHandler ran')
})
