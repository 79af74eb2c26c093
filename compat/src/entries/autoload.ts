import fastifyAutoload from '@fastify/autoload'
import { fileURLToPath } from 'node:url'
import type { Entry } from '../entry.js'

const dir = fileURLToPath(new URL('../../fixtures/autoload/', import.meta.url))

export const autoload: Entry = {
  name: '@fastify/autoload',
  async register (scope) {
    await scope.register(fastifyAutoload, { dir })
  },
  async check (t, { client, base }) {
    const res = await client.request({ path: `${base}/greeting` })
    t.equal(res.status, 200, 'a route loaded from fixtures/autoload/greeting')
    t.same(JSON.parse(res.body.toString()), { greeting: 'hello from autoload' })
  },
  drainPaths: ['/greeting']
}
