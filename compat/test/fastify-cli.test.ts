// fastify-cli's `fastify start` (8.0.x) loads the plugin file, then installs a close-with-grace of
// its own that calls app.close() on SIGTERM and exits 1 after its 500 ms grace delay: beside
// @zerodown/shutdown's, two shutdowns at once. The plugin refuses to start beside it
// (FST_ZERODOWN_SHUTDOWN_OTHER_HANDLER); the README's server file runs the same plugin file and drains.
import { startServerProcess, within, type ServerProcess } from '@zerodown/testkit'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { test, type Test } from 'tap'
import { VERSION } from '../src/app.js'
import { readinessAfterSignal, request, sleep } from './lib/requests.js'

const cli = createRequire(import.meta.url).resolve('fastify-cli/cli.js')
const plugin = fileURLToPath(new URL('../fixtures/cli/app.js', import.meta.url))
const serverFile = new URL('../fixtures/cli/server.js', import.meta.url)
const fastifyStart = [cli, 'start', '--log-level', 'info', '--address', '127.0.0.1', plugin]

function start (t: Test, args: string[], nodeEnv: string): Promise<ServerProcess> {
  const env = {
    NODE_ENV: nodeEnv,
    PORT: '0',
    HOST: '127.0.0.1',
    ZERODOWN_APP_VERSION: VERSION,
    ZERODOWN_DRAIN_DELAY_MS: '1000',
    KUBERNETES_SERVICE_HOST: ''
  }
  const started = startServerProcess({ args, env })
  t.teardown(async () => {
    const server = await started.catch(() => undefined)
    if (server !== undefined && server.child.exitCode === null && server.child.signalCode === null) server.signal('SIGKILL')
  })
  return started
}

test('production: `fastify start` exits 1 before it listens, naming the other close-with-grace', async (t) => {
  const failed = await start(t, fastifyStart, 'production').then(() => undefined, (err: Error) => err)
  t.match(failed?.message, /^process exited \(1\) before listening log line/, 'exit code 1, never listening')
  t.match(failed?.message, /"code":"FST_ZERODOWN_SHUTDOWN_OTHER_HANDLER"/, 'the log names the coded error')
  t.match(failed?.message, /Another close-with-grace handles SIGTERM, SIGINT in this process/)
})

test('production, the README\'s server file on the same plugin file: SIGTERM drains, the request in flight finishes, exit 0', async (t) => {
  const readme = readFileSync(new URL('../../packages/shutdown/README.md', import.meta.url), 'utf8')
  const section = readme.slice(readme.indexOf('### fastify-cli\'s `fastify start`'))
  const recipe = /```js\n([\s\S]*?)```/.exec(section)?.[1]
  t.equal(recipe, readFileSync(serverFile, 'utf8'), 'the file is the README\'s recipe, to the byte')

  const server = await start(t, [fileURLToPath(serverFile)], 'production')
  await server.waitForLog('lifecycle starting -> ready')
  const slow = request(t, server.origin, '/slow?ms=1200')
  await sleep(100)
  server.signal('SIGTERM')
  const readiness = await readinessAfterSignal(t, server.origin)
  const exit = await within(server.exited, 20_000, 'exit after SIGTERM')
  t.equal(readiness.status, 503, 'readiness 503 while draining')
  t.match(await slow, { status: 200, connection: 'close', version: VERSION },
    'the request in flight finishes: 200, Connection: close')
  t.equal(exit.code, 0, 'exit code 0')
  t.ok(server.logs().some((l) => l.state === 'draining'), 'it drained')
})

test('development: `fastify start` with exit: false runs; its own handler closes the app at SIGTERM, without a drain', async (t) => {
  const server = await start(t, fastifyStart, 'development')
  await server.waitForLog('lifecycle starting -> ready')
  const slow = request(t, server.origin, '/slow?ms=200')
  await sleep(50)
  server.signal('SIGTERM')
  const exit = await within(server.exited, 20_000, 'exit after SIGTERM')
  t.match(await slow, { status: 200, connection: 'keep-alive' },
    'the request in flight finishes, its connection kept open')
  const states = server.logs().filter((l) => l.state !== undefined).map((l) => `${String(l.previous)} -> ${String(l.state)}`)
  t.same(states, ['starting -> ready', 'ready -> closing'], 'app.close() at the signal: no draining state')
  // Fastify closes idle connections when close() begins, not those that turn idle later: the
  // client's keep-alive connection holds the close past fastify-cli's grace delay.
  t.equal(exit.code, 1, 'exit code 1, from fastify-cli')
  t.ok(server.lines.includes('killed by timeout (500ms)'), 'fastify-cli\'s close-with-grace gave up after its 500 ms')
})
