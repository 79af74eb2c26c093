import fastifyHelmet from '@fastify/helmet'
import type { Entry } from '../entry.js'

export const helmet: Entry = {
  name: '@fastify/helmet',
  async register (scope) {
    await scope.register(fastifyHelmet)
  },
  async check (t, { client, base }) {
    const res = await client.request({ path: `${base}/hello` })
    t.equal(res.status, 200)
    t.match(res.headers, {
      'content-security-policy': /default-src 'self'/,
      'strict-transport-security': /max-age=/,
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'SAMEORIGIN',
      'cross-origin-opener-policy': 'same-origin'
    }, 'helmet\'s headers, beside x-app-version')
    const error = await client.request({ path: `${base}/boom` })
    t.equal(error.headers['x-content-type-options'], 'nosniff', 'on an error reply too')
  }
}
