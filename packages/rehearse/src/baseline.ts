#!/usr/bin/env node
// The naive baseline: a plain Fastify app as most are deployed. No drain, no readiness flip — its
// readiness endpoint answers 200 to the end — and SIGTERM kills it at once (Node's default).
// A rehearsal of it must show failed requests; one that does not proves nothing.
import Fastify from 'fastify'

const port = Number(process.env.PORT ?? 8080)
const host = process.env.HOST ?? '127.0.0.1'
const version = process.env.APP_VERSION ?? '0.0.0'
const app = Fastify({ logger: { level: process.env.LOG_LEVEL ?? 'info' } })

app.addHook('onSend', async (_req, reply) => { reply.header('x-app-version', version) })
app.get('/', async () => ({ hello: 'world', version }))
app.get<{ Querystring: { ms?: string } }>('/work', async (req) => {
  const ms = Math.min(Number(req.query.ms ?? 100) || 0, 30_000)
  await new Promise((resolve) => setTimeout(resolve, ms))
  return { worked: ms, version }
})
for (const path of ['/livez', '/readyz', '/startupz']) app.get(path, async () => ({ status: 'ok' }))

await app.listen({ port, host })
