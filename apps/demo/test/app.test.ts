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
