import fastifyCors from '@fastify/cors'
import type { Entry } from '../entry.js'
import { preflightGap } from '../gaps.js'

const ORIGIN = 'https://client.example'

export const cors: Entry = {
  name: '@fastify/cors',
  async register (scope) {
    await scope.register(fastifyCors, { origin: ORIGIN, methods: ['GET', 'POST'] })
  },
  async check (t, { client, base, order }) {
    const preflight = await client.request({
      method: 'OPTIONS',
      path: `${base}/hello`,
      headers: { origin: ORIGIN, 'access-control-request-method': 'POST' },
      gap: preflightGap(order)
    })
    t.equal(preflight.status, 204, 'the preflight, answered by the plugin\'s hook: 204')
    t.equal(preflight.headers['access-control-allow-origin'], ORIGIN)
    t.equal(preflight.headers['access-control-allow-methods'], 'GET, POST')
    const simple = await client.request({ path: `${base}/hello`, headers: { origin: ORIGIN } })
    t.equal(simple.status, 200)
    t.equal(simple.headers['access-control-allow-origin'], ORIGIN, 'a cross-origin GET is allowed')
  }
}
