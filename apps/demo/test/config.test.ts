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
    drainDelayMs: undefined,
    shutdownTimeoutMs: undefined,
    probePort: undefined,
    workMs: 100
  })
})

test('every variable is read', async (t) => {
  t.same(readConfig({
    PORT: '3000',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    DRAIN_DELAY_MS: '5000',
    SHUTDOWN_TIMEOUT_MS: '20000',
    PROBE_PORT: '9000',
    WORK_MS: '1000'
  }), {
    port: 3000,
    host: '127.0.0.1',
    logLevel: 'warn',
    drainDelayMs: 5000,
    shutdownTimeoutMs: 20000,
    probePort: 9000,
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
  [{ DRAIN_DELAY_MS: '5s' }, /^DRAIN_DELAY_MS must be an integer from 0 to 600000, got "5s"$/],
  [{ SHUTDOWN_TIMEOUT_MS: '0' }, /^SHUTDOWN_TIMEOUT_MS must be an integer from 1 to 600000, got "0"$/],
  [{ PROBE_PORT: '65536' }, /^PROBE_PORT must be an integer from 0 to 65535, got "65536"$/],
  [{ PROBE_PORT: '8080' }, /^PROBE_PORT must be a port other than PORT \(8080\), got "8080"$/],
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

const refusedByPlugins: Array<[Record<string, string>, RegExp]> = [
  [{ APP_VERSION: '1.0\r\nset-cookie: a=b' }, /Cannot start: FST_ZERODOWN_VERSION_UNSAFE_VALUE: The version from environment variable APP_VERSION cannot be sent in an HTTP header/],
  [{ DRAIN_DELAY_MS: '5000', SHUTDOWN_TIMEOUT_MS: '4000' }, /Cannot start: FST_ZERODOWN_SHUTDOWN_INVALID_OPTION: .*"timeout"/]
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
  const proc = await startServerProcess({ args: [server], env: { PORT: '0', HOST: '127.0.0.1', APP_VERSION: 'v9', LOG_LEVEL: 'info' } })
  t.teardown(() => { proc.signal('SIGKILL') })
  const res = await fetch(proc.origin + '/')
  t.equal(res.headers.get('x-app-version'), 'v9')
  t.ok(proc.logs().some((log) => log.level === 30 && typeof log.msg === 'string'), 'structured JSON logs')
})
