import { test, type Test } from 'tap'
import { buildApp } from '../src/app.js'

test('GET / greets with the version, and the version header is set', async (t) => {
  const app = await buildApp({ version: 'v1.0.0', exitOnShutdown: false })
  t.teardown(() => app.close())
  // The header is set by the HTTP server, which app.inject() bypasses: ask over a real socket.
  const res = await fetch(`${await app.listen({ port: 0, host: '127.0.0.1' })}/`)
  t.equal(res.status, 200)
  t.match(await res.json(), { message: 'Hello, world! Version: v1.0.0', version: 'v1.0.0' })
  t.equal(res.headers.get('x-app-version'), 'v1.0.0')
})

test('GET /version names the version', async (t) => {
  const app = await buildApp({ version: 'v2.0.0', exitOnShutdown: false })
  t.teardown(() => app.close())
  t.match((await app.inject('/version')).json(), { version: 'v2.0.0' })
})

test('GET /work waits the asked time, bounded, with a clear 400 for a bad ms', async (t) => {
  const app = await buildApp({ version: 'v1.0.0', workMs: 5, exitOnShutdown: false })
  t.teardown(() => app.close())

  const start = Date.now()
  const res = await app.inject('/work?ms=50')
  t.equal(res.statusCode, 200)
  t.same(res.json(), { worked: 50, version: 'v1.0.0' })
  t.ok(Date.now() - start >= 45, 'it really waited')
  t.same((await app.inject('/work')).json(), { worked: 5, version: 'v1.0.0' }, 'WORK_MS is the default')

  const cases: Array<[string, RegExp]> = [
    ['/work?ms=abc', /querystring\/ms must be integer/],
    ['/work?ms=-1', /querystring\/ms must be >= 0/],
    ['/work?ms=60001', /querystring\/ms must be <= 60000/],
    ['/work?ms=1.5', /querystring\/ms must be integer/]
  ]
  for (const [url, message] of cases) {
    const bad = await app.inject(url)
    t.equal(bad.statusCode, 400, url)
    t.match(bad.json().message, message, url)
  }
  const bad = await fetch(`${await app.listen({ port: 0, host: '127.0.0.1' })}/work?ms=abc`)
  t.equal(bad.status, 400)
  t.equal(bad.headers.get('x-app-version'), 'v1.0.0', 'errors carry the version too')
})

/** Sets contract variables for one test, as a pod's environment would. */
function podEnv (t: Test, vars: Record<string, string>): void {
  const saved = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]))
  Object.assign(process.env, vars)
  t.teardown(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
  })
}

test('the probes follow the lifecycle, and every route carries the version', async (t) => {
  // The demo passes no timings: the plugins read the drain and the timeout from the environment.
  podEnv(t, { ZERODOWN_DRAIN_DELAY_MS: '200', ZERODOWN_SHUTDOWN_TIMEOUT_MS: '5000', ZERODOWN_PROBE_READINESS_PATH: '/ready' })
  const app = await buildApp({ version: 'v3.0.0', exitOnShutdown: false })
  t.teardown(() => app.close())
  const status = async (url: string): Promise<number> => (await app.inject(url)).statusCode

  await app.ready()
  t.same([await status('/livez'), await status('/ready'), await status('/startupz')], [200, 503, 503], 'starting: not listening yet')

  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  t.same([await status('/livez'), await status('/ready'), await status('/startupz')], [200, 200, 200], 'ready')
  const verbose = await fetch(`${url}/ready?verbose`)
  t.same(await verbose.json(), { status: 'ok' }, 'no details on the main port, which the Service exposes')
  t.equal(verbose.headers.get('x-app-version'), 'v3.0.0')

  const done = app.shutdown('test')
  t.equal(app.lifecycle.state, 'draining')
  t.same([await status('/livez'), await status('/ready'), await status('/startupz')], [200, 503, 200], 'draining')
  const served = await app.inject('/')
  // (Connection: close is set on the socket's response, which inject() bypasses: test/rollout.test.ts checks it.)
  t.equal(served.statusCode, 200, 'user requests are still served while draining')
  await done
  t.equal(app.lifecycle.state, 'closed')
})

test('on a probe port of its own, ?verbose shows the sample dependency check', async (t) => {
  podEnv(t, { ZERODOWN_PROBE_PORT: '0' })
  const app = await buildApp({ version: 'v3.0.0', exitOnShutdown: false })
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  const verbose = await fetch(`http://127.0.0.1:${app.probes.port!}/readyz?verbose`)
  t.match(await verbose.json(), { status: 'ok', checks: [{ name: 'tmp-writable', status: 'pass' }] }, 'the sample dependency check runs')
})
