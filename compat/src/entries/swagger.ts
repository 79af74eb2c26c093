import fastifySwagger from '@fastify/swagger'
import type { Entry } from '../entry.js'

export const swagger: Entry = {
  name: '@fastify/swagger',
  async register (scope) {
    await scope.register(fastifySwagger, { openapi: { info: { title: 'compat', version: '1.0.0' } } })
    const params = { type: 'object', properties: { id: { type: 'string' } } }
    scope.get('/items/:id', { schema: { params } }, async (request) => request.params)
    scope.get('/openapi.json', { schema: { hide: true } }, async () => scope.swagger())
  },
  async check (t, { client, base }) {
    const res = await client.request({ path: `${base}/openapi.json` })
    t.equal(res.status, 200)
    const doc = JSON.parse(res.body.toString()) as { openapi: string, paths: Record<string, unknown> }
    t.match(doc.openapi, /^3\./, 'an OpenAPI 3 document')
    for (const path of ['/hello', '/items/{id}', '/boom']) t.ok(doc.paths[`${base}${path}`], `lists ${base}${path}`)
  },
  drainPaths: ['/openapi.json']
}
