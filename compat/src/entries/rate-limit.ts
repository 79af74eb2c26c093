import fastifyRateLimit from '@fastify/rate-limit'
import type { Entry } from '../entry.js'

const MAX = 3

export const rateLimit: Entry = {
  name: '@fastify/rate-limit',
  async register (scope) {
    // Keyed by an x-client header, so that only the check's own requests share a budget (each
    // other request is a client of its own); test/gaps.test.ts keys by address, as by default.
    await scope.register(fastifyRateLimit, {
      max: MAX,
      timeWindow: 60_000,
      keyGenerator: (request) => String(request.headers['x-client'] ?? request.id)
    })
  },
  async check (t, { client, base }) {
    const statuses: number[] = []
    let limited
    for (let i = 0; i <= MAX; i++) {
      limited = await client.request({ path: `${base}/hello`, headers: { 'x-client': 'compat-check' } })
      statuses.push(limited.status)
    }
    t.same(statuses, [200, 200, 200, 429], `${MAX} requests served, the next one limited`)
    t.match(limited?.headers, { 'retry-after': /^\d+$/, 'x-ratelimit-limit': String(MAX), 'x-ratelimit-remaining': '0' })
    t.match(JSON.parse(limited?.body.toString() ?? '{}'), { statusCode: 429, error: 'Too Many Requests' })
  }
}
