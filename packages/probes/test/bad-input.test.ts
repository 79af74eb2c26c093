import Fastify from 'fastify'
import { readyError } from '@zerodown/testkit'
import { test } from 'tap'
import { SETTINGS } from '@zerodown/contract'
import zerodownProbes, {
  ProbesDuplicateCheckError,
  ProbesDuplicatePathError,
  ProbesInvalidCheckError,
  ProbesInvalidEnvError,
  ProbesInvalidOptionError,
  type ProbesOptions
} from '../src/index.js'

async function register (opts: unknown): Promise<unknown> {
  const app = Fastify()
  app.register(zerodownProbes, opts as ProbesOptions)
  return readyError(app)
}

type ErrorClass = abstract new (...args: never[]) => Error
const ok = (): boolean => true

const cases: Array<[string, unknown, ErrorClass, string, RegExp]> = [
  ['options that are not an object', 'yes', ProbesInvalidOptionError, 'FST_ZERODOWN_PROBES_INVALID_OPTION', /"options": expected an object, got "yes"/],
  ['paths that is a string', { paths: '/readyz' }, ProbesInvalidOptionError, 'FST_ZERODOWN_PROBES_INVALID_OPTION', /"paths": expected an object/],
  ['an unknown probe in paths', { paths: { health: '/health' } }, ProbesInvalidOptionError, 'FST_ZERODOWN_PROBES_INVALID_OPTION', /"paths.health": expected one of "paths.liveness", "paths.readiness", "paths.startup", got an unknown key$/],
  ['a path without a leading slash', { paths: { readiness: 'readyz' } }, ProbesInvalidOptionError, 'FST_ZERODOWN_PROBES_INVALID_OPTION', /"paths.readiness": expected false or a literal path like "\/readyz".*got "readyz"$/],
  ['a path with a query', { paths: { liveness: '/livez?x=1' } }, ProbesInvalidOptionError, 'FST_ZERODOWN_PROBES_INVALID_OPTION', /"paths.liveness"/],
  ['a path with a space', { paths: { startup: '/start up' } }, ProbesInvalidOptionError, 'FST_ZERODOWN_PROBES_INVALID_OPTION', /"paths.startup"/],
  ['a path that is true', { paths: { startup: true } }, ProbesInvalidOptionError, 'FST_ZERODOWN_PROBES_INVALID_OPTION', /"paths.startup".*got true$/],
  ['two probes on one path', { paths: { liveness: '/health', readiness: '/health' } }, ProbesDuplicatePathError, 'FST_ZERODOWN_PROBES_DUPLICATE_PATH',
    /paths: the liveness path \(option "paths.liveness"\) and the readiness path \(option "paths.readiness"\) are both "\/health"; each probe needs a path of its own/],
  ['a path equal to another probe\'s default', { paths: { startup: '/readyz' } }, ProbesDuplicatePathError, 'FST_ZERODOWN_PROBES_DUPLICATE_PATH',
    /the readiness path \(default\) and the startup path \(option "paths.startup"\) are both "\/readyz"/],
  ['a path from the environment equal to an option', { paths: { liveness: '/health' }, env: { ZERODOWN_PROBE_STARTUP_PATH: '/health' } }, ProbesDuplicatePathError, 'FST_ZERODOWN_PROBES_DUPLICATE_PATH',
    /the liveness path \(option "paths.liveness"\) and the startup path \(environment variable ZERODOWN_PROBE_STARTUP_PATH\) are both "\/health"/],
  ['env that is a string', { env: 'production' }, ProbesInvalidOptionError, 'FST_ZERODOWN_PROBES_INVALID_OPTION', /"env": expected an object of environment variables, got "production"/],
  ['checks that is an object', { checks: { db: ok } }, ProbesInvalidOptionError, 'FST_ZERODOWN_PROBES_INVALID_OPTION', /"checks": expected an array/],
  ['a check that is a function', { checks: [ok] }, ProbesInvalidCheckError, 'FST_ZERODOWN_PROBES_INVALID_CHECK', /check checks\[0\]: expected an object like/],
  ['a check without a name', { checks: [{ check: ok }] }, ProbesInvalidCheckError, 'FST_ZERODOWN_PROBES_INVALID_CHECK', /check checks\[0\]: expected a name of 1 to 64 printable ASCII characters, got undefined/],
  ['a check whose check is not a function', { checks: [{ name: 'db', check: 'SELECT 1' }] }, ProbesInvalidCheckError, 'FST_ZERODOWN_PROBES_INVALID_CHECK', /check checks\[0\] \("db"\): expected a function as "check", got "SELECT 1"/],
  ['a check with a zero timeout', { checks: [{ name: 'db', check: ok, timeout: 0 }] }, ProbesInvalidCheckError, 'FST_ZERODOWN_PROBES_INVALID_CHECK', /\("db"\): expected a whole number of milliseconds from 1 to 2147483647 \(setTimeout's limit is about 24\.8 days\) as "timeout", got 0$/],
  ['a check with a timeout past setTimeout\'s limit', { checks: [{ name: 'db', check: ok, timeout: 2 ** 31 }] }, ProbesInvalidCheckError, 'FST_ZERODOWN_PROBES_INVALID_CHECK', /\("db"\): expected .*to 2147483647.*"timeout", got 2147483648$/],
  ['a check with a negative timeout', { checks: [{ name: 'db', check: ok, timeout: -5 }] }, ProbesInvalidCheckError, 'FST_ZERODOWN_PROBES_INVALID_CHECK', /"timeout", got -5$/],
  ['a check with a string timeout', { checks: [{ name: 'db', check: ok, timeout: '1s' }] }, ProbesInvalidCheckError, 'FST_ZERODOWN_PROBES_INVALID_CHECK', /"timeout", got "1s"/],
  ['a check with critical "yes"', { checks: [{ name: 'db', check: ok, critical: 'yes' }] }, ProbesInvalidCheckError, 'FST_ZERODOWN_PROBES_INVALID_CHECK', /true or false as "critical"/],
  ['two checks with one name', { checks: [{ name: 'db', check: ok }, { name: 'db', check: ok }] }, ProbesDuplicateCheckError, 'FST_ZERODOWN_PROBES_DUPLICATE_CHECK', /check named "db" is already registered/],
  ['a checkTimeout of 0', { checkTimeout: 0 }, ProbesInvalidOptionError, 'FST_ZERODOWN_PROBES_INVALID_OPTION', /"checkTimeout": expected a whole number of milliseconds from 1 to 2147483647 \(setTimeout's limit is about 24\.8 days\), got 0$/],
  ['a checkTimeout of Infinity', { checkTimeout: Infinity }, ProbesInvalidOptionError, 'FST_ZERODOWN_PROBES_INVALID_OPTION', /"checkTimeout".*got Infinity$/],
  // setTimeout fires a longer delay after 1 ms: the check would time out at once.
  ['a checkTimeout past setTimeout\'s limit', { checkTimeout: 2 ** 31 }, ProbesInvalidOptionError, 'FST_ZERODOWN_PROBES_INVALID_OPTION', /"checkTimeout": expected .*to 2147483647.*got 2147483648$/],
  ['a negative cacheTtl', { cacheTtl: -1 }, ProbesInvalidOptionError, 'FST_ZERODOWN_PROBES_INVALID_OPTION', /"cacheTtl": expected a number of milliseconds >= 0/],
  ['a port above 65535', { port: 70000 }, ProbesInvalidOptionError, 'FST_ZERODOWN_PROBES_INVALID_OPTION', /"port": expected a whole number from 0 to 65535.*got 70000$/],
  ['a negative port', { port: -1 }, ProbesInvalidOptionError, 'FST_ZERODOWN_PROBES_INVALID_OPTION', /"port".*got -1$/],
  ['a fractional port', { port: 9000.5 }, ProbesInvalidOptionError, 'FST_ZERODOWN_PROBES_INVALID_OPTION', /"port".*got 9000.5$/],
  ['a port as a string', { port: '9000' }, ProbesInvalidOptionError, 'FST_ZERODOWN_PROBES_INVALID_OPTION', /"port".*got "9000"/],
  ['a host without a port', { host: '0.0.0.0' }, ProbesInvalidOptionError, 'FST_ZERODOWN_PROBES_INVALID_OPTION', /"host": expected to be given only with "port" or ZERODOWN_PROBE_PORT/],
  ['an empty host', { port: 9000, host: '' }, ProbesInvalidOptionError, 'FST_ZERODOWN_PROBES_INVALID_OPTION', /"host": expected a non-empty host/],
  ['verbose "yes"', { verbose: 'yes' }, ProbesInvalidOptionError, 'FST_ZERODOWN_PROBES_INVALID_OPTION', /"verbose": expected true or false/],
  ['verboseQuery 1', { verboseQuery: 1 }, ProbesInvalidOptionError, 'FST_ZERODOWN_PROBES_INVALID_OPTION', /"verboseQuery": expected true or false, got 1/],
  ['logRequests 1', { logRequests: 1 }, ProbesInvalidOptionError, 'FST_ZERODOWN_PROBES_INVALID_OPTION', /"logRequests": expected true or false, got 1$/],
  ['pressure true', { pressure: true }, ProbesInvalidOptionError, 'FST_ZERODOWN_PROBES_INVALID_OPTION', /"pressure": expected false or an object/],
  ['a negative event-loop delay', { pressure: { maxEventLoopDelay: -1 } }, ProbesInvalidOptionError, 'FST_ZERODOWN_PROBES_INVALID_OPTION', /"pressure.maxEventLoopDelay"/],
  ['an event-loop utilisation above 1', { pressure: { maxEventLoopUtilization: 1.5 } }, ProbesInvalidOptionError, 'FST_ZERODOWN_PROBES_INVALID_OPTION', /"pressure.maxEventLoopUtilization": expected a number from 0 to 1/],
  ['a heap limit as a string', { pressure: { maxHeapUsedBytes: '1GB' } }, ProbesInvalidOptionError, 'FST_ZERODOWN_PROBES_INVALID_OPTION', /"pressure.maxHeapUsedBytes": expected a number of bytes/],
  ['a NaN RSS limit', { pressure: { maxRssBytes: NaN } }, ProbesInvalidOptionError, 'FST_ZERODOWN_PROBES_INVALID_OPTION', /"pressure.maxRssBytes"/],
  ['a zero sample interval', { pressure: { sampleInterval: 0 } }, ProbesInvalidOptionError, 'FST_ZERODOWN_PROBES_INVALID_OPTION', /"pressure.sampleInterval": expected a whole number of milliseconds from 1/],
  ['a sample interval past setTimeout\'s limit', { pressure: { sampleInterval: 2 ** 31 } }, ProbesInvalidOptionError, 'FST_ZERODOWN_PROBES_INVALID_OPTION', /"pressure.sampleInterval": expected .*to 2147483647.*got 2147483648$/],
  ['rejectRequests "no"', { pressure: { rejectRequests: 'no' } }, ProbesInvalidOptionError, 'FST_ZERODOWN_PROBES_INVALID_OPTION', /"pressure.rejectRequests": expected true or false/],
  ['a fractional retryAfter', { pressure: { retryAfter: 1.5 } }, ProbesInvalidOptionError, 'FST_ZERODOWN_PROBES_INVALID_OPTION', /"pressure.retryAfter": expected a whole number of seconds from 1 to 86400/],
  ['a misspelled option', { checkTimout: 500 }, ProbesInvalidOptionError, 'FST_ZERODOWN_PROBES_INVALID_OPTION', /option "checkTimout": expected a known option: did you mean "checkTimeout"\?, got an unknown key$/],
  ['a misspelled pressure option', { pressure: { maxEventLoopDelai: 200 } }, ProbesInvalidOptionError, 'FST_ZERODOWN_PROBES_INVALID_OPTION', /option "pressure.maxEventLoopDelai": expected a known option: did you mean "pressure.maxEventLoopDelay"\?/],
  ['a misspelled check setting', { checks: [{ name: 'db', check: ok, timout: 300 }] }, ProbesInvalidCheckError, 'FST_ZERODOWN_PROBES_INVALID_CHECK', /check checks\[0\] \("db"\): expected only "name", "check", "timeout", "critical" \(did you mean "timeout"\?\), got "timout"$/],
  ['a route parameter as a path', { paths: { readiness: '/:id' } }, ProbesInvalidOptionError, 'FST_ZERODOWN_PROBES_INVALID_OPTION', /"paths.readiness": expected false or a literal path .*got "\/:id"$/],
  ['a wildcard as a path', { paths: { liveness: '/*' } }, ProbesInvalidOptionError, 'FST_ZERODOWN_PROBES_INVALID_OPTION', /"paths.liveness".*got "\/\*"$/],
  ['a path that is not ASCII', { paths: { startup: '/é' } }, ProbesInvalidOptionError, 'FST_ZERODOWN_PROBES_INVALID_OPTION', /"paths.startup".*got "\/é"$/]
]

for (const [title, opts, type, code, message] of cases) {
  test(`rejects ${title}`, async (t) => {
    const err = await register(opts)
    t.type(err, type)
    t.equal((err as { code?: string }).code, code)
    t.match((err as Error).message, message)
  })
}

// The words of the contract, which the chart's lint uses for the same variables.
const PATH_FORM = SETTINGS.readinessPath.form.expected
const CHECK_TIMEOUT_FORM = SETTINGS.checkTimeout.form.expected
const invalidEnv: Array<[string, string, string]> = [
  ['ZERODOWN_PROBE_PORT', '9000a', 'a whole number from 0 to 65535 (0 = any free port)'],
  ['ZERODOWN_PROBE_PORT', '65536', 'a whole number from 0 to 65535 (0 = any free port)'],
  ['ZERODOWN_PROBE_PORT', '-1', 'a whole number from 0 to 65535 (0 = any free port)'],
  ['ZERODOWN_PROBE_PORT', ' 9000', 'a whole number from 0 to 65535 (0 = any free port)'],
  ['ZERODOWN_PROBE_LIVENESS_PATH', 'livez', PATH_FORM],
  ['ZERODOWN_PROBE_READINESS_PATH', '/readyz?full=1', PATH_FORM],
  ['ZERODOWN_PROBE_STARTUP_PATH', '/start up', PATH_FORM],
  ['ZERODOWN_PROBE_STARTUP_PATH', 'false', PATH_FORM],
  ['ZERODOWN_PROBE_READINESS_PATH', '/:id', PATH_FORM],
  ['ZERODOWN_PROBE_LIVENESS_PATH', '/*', PATH_FORM],
  ['ZERODOWN_PROBE_STARTUP_PATH', '/é', PATH_FORM],
  ['ZERODOWN_PROBE_CHECK_TIMEOUT_MS', '500ms', CHECK_TIMEOUT_FORM],
  ['ZERODOWN_PROBE_CHECK_TIMEOUT_MS', '0', CHECK_TIMEOUT_FORM],
  ['ZERODOWN_PROBE_CHECK_TIMEOUT_MS', '2.5', CHECK_TIMEOUT_FORM],
  ['ZERODOWN_PROBE_CHECK_TIMEOUT_MS', '2147483648', CHECK_TIMEOUT_FORM]
]

for (const [variable, value, expected] of invalidEnv) {
  test(`rejects ${variable}=${JSON.stringify(value)}, naming the variable`, async (t) => {
    const err = await register({ env: { [variable]: value } })
    t.type(err, ProbesInvalidEnvError)
    t.equal((err as { code?: string }).code, 'FST_ZERODOWN_PROBES_INVALID_ENV')
    t.equal((err as Error).message,
      `Invalid @zerodown/probes environment: environment variable ${variable} must be ${expected}, got ${JSON.stringify(value)}`)
  })
}

test('a malformed variable is not read when its option is given', async (t) => {
  t.equal(await register({
    port: 0,
    paths: { liveness: '/l', readiness: false, startup: '/s' },
    checkTimeout: 100,
    env: { ZERODOWN_PROBE_PORT: 'x', ZERODOWN_PROBE_LIVENESS_PATH: 'x', ZERODOWN_PROBE_READINESS_PATH: 'x', ZERODOWN_PROBE_STARTUP_PATH: 'x', ZERODOWN_PROBE_CHECK_TIMEOUT_MS: 'x' }
  }), undefined)
})

test('addCheck rejects a bad check at once, naming it', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(zerodownProbes, { checks: [{ name: 'db', check: ok }] })
  const calls: Array<[string, () => void, ErrorClass, RegExp]> = [
    ['not a function', () => app.probes.addCheck('queue', 'nope' as never), ProbesInvalidCheckError, /check addCheck\(\) \("queue"\): expected a function as "check", got "nope"/],
    ['an empty name', () => app.probes.addCheck('', ok), ProbesInvalidCheckError, /expected a name of 1 to 64/],
    ['a name with a newline', () => app.probes.addCheck('db\n', ok), ProbesInvalidCheckError, /expected a name of 1 to 64/],
    ['a taken name', () => app.probes.addCheck('db', ok), ProbesDuplicateCheckError, /check named "db" is already registered/],
    ['a negative timeout', () => app.probes.addCheck('queue', ok, { timeout: -1 }), ProbesInvalidCheckError, /"timeout", got -1$/],
    ['settings that are a number', () => app.probes.addCheck('queue', ok, 5 as never), ProbesInvalidCheckError, /settings like \{ timeout: 300, critical: true \}/],
    ['startup work that is not a promise', () => app.probes.addStartupWork('later' as never), ProbesInvalidOptionError, /"addStartupWork\(work\)": expected a promise, got "later"/]
  ]
  for (const [title, call, type, message] of calls) {
    t.throws(call, type, title)
    t.throws(call, message, `${title}: message`)
  }
})

test('valid edge values are accepted', async (t) => {
  t.equal(await register({ port: 0 }), undefined, 'port 0 picks a free port')
  t.equal(await register({ port: 65535, host: '127.0.0.1' }), undefined)
  t.equal(await register({ cacheTtl: 0 }), undefined, 'cacheTtl 0 turns caching off')
  t.equal(await register({ paths: { liveness: false, readiness: false, startup: false } }), undefined)
  t.equal(await register({ pressure: { maxEventLoopDelay: 0, maxEventLoopUtilization: 1 } }), undefined)
  t.equal(await register({ checks: [] }), undefined)
  // One unit inside each range whose refusal one unit past it is tested above.
  t.equal(await register({ checkTimeout: 1 }), undefined, 'checkTimeout 1 ms (0 is refused)')
  t.equal(await register({ checks: [{ name: 'db', check: ok, timeout: 1 }] }), undefined, 'a check timeout of 1 ms (0 is refused)')
  t.equal(await register({ pressure: { sampleInterval: 1, retryAfter: 1 } }), undefined, 'sampleInterval 1 ms and retryAfter 1 s (0 and 1.5 are refused)')
  t.equal(await register({ checkTimeout: 2 ** 31 - 1, checks: [{ name: 'db', check: ok, timeout: 2 ** 31 - 1 }], pressure: { sampleInterval: 2 ** 31 - 1 } }), undefined,
    'timers of 2147483647 ms, the longest setTimeout keeps (one more is refused)')
  t.equal(await register({ env: { ZERODOWN_PROBE_CHECK_TIMEOUT_MS: '2147483647' } }), undefined, 'ZERODOWN_PROBE_CHECK_TIMEOUT_MS at the limit')
})

test('a probe path that is also a route of the app is a coded error, whichever is registered first', async (t) => {
  const before = Fastify()
  before.get('/readyz', async () => 'mine')
  before.register(zerodownProbes, { env: {} })
  t.match(await readyError(before), { code: 'FST_ZERODOWN_PROBES_PATH_TAKEN', message: /path: \/readyz \(default\) is also a route of the app/ })

  const after = Fastify()
  await after.register(zerodownProbes, { env: { ZERODOWN_PROBE_LIVENESS_PATH: '/' } })
  t.throws(() => after.get('/', async () => 'home'), { code: 'FST_ZERODOWN_PROBES_PATH_TAKEN', message: /path: \/ \(environment variable ZERODOWN_PROBE_LIVENESS_PATH\)/ })
  after.post('/readyz', async () => 'another method is another route')
  t.equal(await readyError(after), undefined)
})
