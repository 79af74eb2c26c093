import fastifyStatic from '@fastify/static'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Entry } from '../entry.js'

const root = fileURLToPath(new URL('../../fixtures/static/', import.meta.url))

export const statics: Entry = {
  name: '@fastify/static',
  async register (scope) {
    await scope.register(fastifyStatic, { root, prefix: '/static/' })
  },
  async check (t, { client, base }) {
    const file = await client.request({ path: `${base}/static/hello.txt` })
    t.equal(file.status, 200, 'a file from disk')
    t.equal(file.body.toString(), readFileSync(`${root}/hello.txt`, 'utf8'), 'its bytes, whole')
    t.match(file.headers['content-type'], /^text\/plain/)
    t.ok(file.headers.etag !== undefined && file.headers['last-modified'] !== undefined, 'with its caching headers')
    const missing = await client.request({ path: `${base}/static/missing.txt` })
    t.equal(missing.status, 404, 'a file that is not there: 404')
  },
  drainPaths: ['/static/hello.txt']
}
