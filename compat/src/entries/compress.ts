import fastifyCompress from '@fastify/compress'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import type { Entry } from '../entry.js'

const TEXT = 'zero downtime, every reply compressed and whole. '.repeat(400)
const DECOMPRESS = { gzip: gunzipSync, br: brotliDecompressSync }

export const compress: Entry = {
  name: '@fastify/compress',
  async register (scope) {
    await scope.register(fastifyCompress, { threshold: 1024 })
    scope.get('/large', async (_request, reply) => reply.type('text/plain').send(TEXT))
  },
  async check (t, { client, base }) {
    for (const [encoding, decompress] of Object.entries(DECOMPRESS)) {
      const res = await client.request({ path: `${base}/large`, headers: { 'accept-encoding': encoding } })
      t.equal(res.status, 200)
      t.equal(res.headers['content-encoding'], encoding, `${encoding}-encoded`)
      t.ok(res.body.length < TEXT.length / 10, `smaller (${res.body.length} of ${TEXT.length} bytes)`)
      t.equal(decompress(res.body).toString(), TEXT, `${encoding}: decompresses to the original`)
    }
    const identity = await client.request({ path: `${base}/large`, headers: { 'accept-encoding': 'identity' } })
    t.equal(identity.body.toString(), TEXT, 'sent as is to a client that asks so')
  },
  drainPaths: ['/large']
}
