import { startServerProcess } from '@zerodown/testkit'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { test } from 'tap'
import { ConfigError, readConfig } from '../src/config.js'

test('defaults', async (t) => {
  t.same(readConfig({}), {
    port: 8080,
    host: '0.0.0.0',
    logLevel: 'info',
    workMs: 100
  })
})

test('every variable is read', async (t) => {
  t.same(readConfig({
    PORT: '3000',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    WORK_MS: '1000',
    // The contract's variables are the plugins' to read, not the demo's.
    ZERODOWN_DRAIN_DELAY_MS: 'not read here',
    ZERODOWN_PROBE_PORT: 'not read here'
  }), {
    port: 3000,
    host: '127.0.0.1',
    logLevel: 'warn',
    workMs: 1000
  })
})

const bad: Array<[Record<string, string>, RegExp]> = [
  [{ PORT: 'http' }, /^PORT must be an integer from 0 to 65535, got "http"$/],
  [{ PORT: '70000' }, /^PORT must be an integer from 0 to 65535, got "70000"$/],
  [{ PORT: '-1' }, /^PORT must be an integer/],
  [{ PORT: '80.5' }, /^PORT must be an integer/],
  [{ HOST: 'local host' }, /^HOST must be an address or host name without spaces, got "local host"$/],
  [{ LOG_LEVEL: 'verbose' }, /^LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "verbose"$/],
  [{ WORK_MS: '1e3' }, /^WORK_MS must be an integer from 0 to 60000, got "1e3"$/],
  [{ WORK_MS: '60001' }, /^WORK_MS must be an integer from 0 to 60000/]
]

for (const [env, message] of bad) {
  test(`rejects ${JSON.stringify(env)}`, async (t) => {
    t.throws(() => readConfig(env), { name: 'ConfigError', message })
    t.ok((() => { try { readConfig(env) } catch (err) { return err instanceof ConfigError } })())
  })
}

const server = fileURLToPath(new URL('../dist/server.js', import.meta.url))

test('the server exits 1 before listening when a variable is bad, naming it', async (t) => {
  const result = spawnSync(process.execPath, [server], { env: { ...process.env, PORT: 'eighty' }, encoding: 'utf8', timeout: 30_000 })
  t.equal(result.status, 1)
  t.match(result.stderr, /Invalid environment: PORT must be an integer from 0 to 65535, got "eighty"/)
  t.notMatch(result.stdout, /listening/)
})

// The contract's variables, read by the plugins as in any app: a bad one stops the server, named.
const refusedByPlugins: Array<[Record<string, string>, RegExp]> = [
  [{ ZERODOWN_APP_VERSION: '1.0\r\nset-cookie: a=b' }, /Cannot start: FST_ZERODOWN_VERSION_INVALID_ENV: .*environment variable ZERODOWN_APP_VERSION must be at most 256 printable ASCII characters, without line breaks/],
  [{ ZERODOWN_DRAIN_DELAY_MS: '5s' }, /Cannot start: FST_ZERODOWN_SHUTDOWN_INVALID_ENV: .*environment variable ZERODOWN_DRAIN_DELAY_MS must be a whole number of milliseconds from 0 to 2147483647 .*got "5s"/],
  [{ ZERODOWN_DRAIN_DELAY_MS: '5000', ZERODOWN_SHUTDOWN_TIMEOUT_MS: '4000' },
    /Cannot start: FST_ZERODOWN_SHUTDOWN_INVALID_TIMING: .*timeout 4000 ms \(environment variable ZERODOWN_SHUTDOWN_TIMEOUT_MS\) must be greater than drainDelay 5000 ms \(environment variable ZERODOWN_DRAIN_DELAY_MS\)/],
  [{ ZERODOWN_PROBE_PORT: '65536' }, /Cannot start: FST_ZERODOWN_PROBES_INVALID_ENV: .*environment variable ZERODOWN_PROBE_PORT must be a whole number from 0 to 65535/]
]

for (const [env, message] of refusedByPlugins) {
  test(`the server exits 1 before listening on ${JSON.stringify(env)}, naming the problem`, async (t) => {
    const result = spawnSync(process.execPath, [server], { env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env }, encoding: 'utf8', timeout: 30_000 })
    t.equal(result.status, 1)
    t.match(result.stderr, message)
    t.notMatch(result.stdout, /listening/)
  })
}

test('the server listens on PORT and HOST and logs JSON', async (t) => {
  const proc = await startServerProcess({ args: [server], env: { PORT: '0', HOST: '127.0.0.1', ZERODOWN_APP_VERSION: 'v9', LOG_LEVEL: 'info' } })
  t.teardown(() => { proc.signal('SIGKILL') })
  const res = await fetch(proc.origin + '/')
  t.equal(res.headers.get('x-app-version'), 'v9')
  t.ok(proc.logs().some((log) => log.level === 30 && typeof log.msg === 'string'), 'structured JSON logs')
})
