import fastifySensible from '@fastify/sensible'
import type { Entry } from '../entry.js'

export const sensible: Entry = {
  name: '@fastify/sensible',
  async register (scope) {
    await scope.register(fastifySensible)
    scope.get('/teapot', async () => { throw scope.httpErrors.imateapot('short and stout') })
    scope.get('/gone', async (_request, reply) => reply.notFound('not here any more'))
  },
  async check (t, { client, base }) {
    const teapot = await client.request({ path: `${base}/teapot` })
    t.equal(teapot.status, 418, 'an httpErrors error thrown by a handler')
    t.match(JSON.parse(teapot.body.toString()), { statusCode: 418, error: 'I\'m a Teapot', message: 'short and stout' })
    const gone = await client.request({ path: `${base}/gone` })
    t.equal(gone.status, 404, 'reply.notFound()')
    t.match(JSON.parse(gone.body.toString()), { statusCode: 404, message: 'not here any more' })
  }
}
