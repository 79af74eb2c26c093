#!/usr/bin/env node
// The naive baseline: a plain Fastify app as most are deployed. No drain, no readiness flip — its
// readiness endpoint answers 200 to the end — and no SIGTERM handler: SIGTERM kills it at once on a
// host (Node's default); as PID 1 the signal is ignored and the SIGKILL at the grace period ends it.
// It takes the pod contract an app gets (ZERODOWN_APP_VERSION, ZERODOWN_PROBE_PORT, the probe paths)
// and answers every request the load sends, so a comparison rehearses the same requests with the
// same timing: ZERODOWN_BASELINE_ANSWERS maps "METHOD /path" to the status and latency the app showed.
// A rehearsal of it must show failed requests; one that does not proves nothing.
import Fastify, { type FastifyReply } from 'fastify'
import { SETTINGS } from '@zerodown/contract'

const env = (name: string): string | undefined => process.env[name] === '' ? undefined : process.env[name]
const port = Number(env(SETTINGS.appPort.env) ?? 8080)
const host = env('HOST') ?? '127.0.0.1'
const version = env(SETTINGS.appVersion.env) ?? '0.0.0'
const answers = JSON.parse(env('ZERODOWN_BASELINE_ANSWERS') ?? '{}') as Record<string, { status: number, ms: number }>
const probePaths = [SETTINGS.livenessPath, SETTINGS.readinessPath, SETTINGS.startupPath].map((path) => env(path.env) ?? path.default)
const probePort = env(SETTINGS.probePort.env)

const app = Fastify({ logger: { level: env('LOG_LEVEL') ?? 'info' } })
// Any body of any type is accepted and ignored.
app.removeAllContentTypeParsers()
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body))
app.addHook('onSend', async (_req, reply) => { reply.header('x-app-version', version) })

const ok = async (_req: unknown, reply: FastifyReply): Promise<unknown> => reply.send({ status: 'ok' })
app.all('/*', async (req, reply) => {
  const answer = answers[`${req.method} ${req.url}`]
  if (answer === undefined && probePort === undefined && probePaths.includes(req.url)) return ok(req, reply)
  if (answer !== undefined && answer.ms > 0) await new Promise((resolve) => setTimeout(resolve, answer.ms))
  return reply.code(answer?.status ?? 200).send({ version })
})

if (probePort !== undefined) {
  const probes = Fastify({ logger: false })
  for (const path of probePaths) probes.get(path, ok)
  await probes.listen({ port: Number(probePort), host })
}
await app.listen({ port, host })
