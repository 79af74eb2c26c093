import { test } from 'tap'
import { buildApp } from '../src/app.js'

test('GET / greets with the version, and the version header is set', async (t) => {
  const app = await buildApp({ version: 'v1.0.0' })
  t.teardown(() => app.close())
  const res = await app.inject('/')
  t.equal(res.statusCode, 200)
  t.match(res.json(), { message: 'Hello, world! Version: v1.0.0', version: 'v1.0.0' })
  t.equal(res.headers['x-app-version'], 'v1.0.0')
})

test('GET /version names the version', async (t) => {
  const app = await buildApp({ version: 'v2.0.0' })
  t.teardown(() => app.close())
  t.match((await app.inject('/version')).json(), { version: 'v2.0.0' })
})

test('GET /work waits the asked time, bounded, with a clear 400 for a bad ms', async (t) => {
  const app = await buildApp({ version: 'v1.0.0', workMs: 5 })
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
    t.equal(bad.headers['x-app-version'], 'v1.0.0', 'errors carry the version too')
  }
})
