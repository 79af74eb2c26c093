// Option, then environment, then default, with the source; and every setting of the table in order.
import { test } from 'tap'
import { envProblem, readEnv, resolveSetting, SETTINGS } from '../src/index.js'

class InvalidEnv extends Error {
  constructor (readonly variable: string, readonly expected: string, readonly got: string) {
    super(`environment variable ${variable} must be ${expected}, got ${got}`)
  }
}

test('option, then environment, then default; an empty variable counts as unset', async (t) => {
  const s = SETTINGS.shutdownTimeout
  t.same(resolveSetting(s, 7, { ZERODOWN_SHUTDOWN_TIMEOUT_MS: '9' }, InvalidEnv), { value: 7, source: 'option "timeout"' })
  t.same(resolveSetting(s, undefined, { ZERODOWN_SHUTDOWN_TIMEOUT_MS: '9' }, InvalidEnv), { value: 9, source: 'environment variable ZERODOWN_SHUTDOWN_TIMEOUT_MS' })
  t.same(resolveSetting(s, undefined, { ZERODOWN_SHUTDOWN_TIMEOUT_MS: '' }, InvalidEnv), { value: 20000, source: 'default' })
  t.same(resolveSetting(s, undefined, {}, InvalidEnv, { value: 1, source: 'elsewhere' }), { value: 1, source: 'elsewhere' })
  t.same(resolveSetting(SETTINGS.appPort, 8080, {}, InvalidEnv), { value: 8080, source: 'option "PORT"' }, 'a setting no plugin reads is named by its variable')
})

test('a malformed variable throws the caller\'s error, in the words lint uses too', async (t) => {
  let thrown: unknown
  try {
    readEnv(SETTINGS.shutdownTimeout, { ZERODOWN_SHUTDOWN_TIMEOUT_MS: '2147484000' }, InvalidEnv)
  } catch (err) {
    thrown = err
  }
  t.match(thrown, { variable: 'ZERODOWN_SHUTDOWN_TIMEOUT_MS', got: '"2147484000"', message: /must be a whole number of milliseconds from 0 to 2147483647/ })
  t.equal(envProblem(SETTINGS.readinessPath, '/r?x=1'), `environment variable ZERODOWN_PROBE_READINESS_PATH must be ${SETTINGS.readinessPath.form.expected}, got "/r?x=1"`)
  t.equal(envProblem(SETTINGS.readinessPath, '/ready'), undefined)
})

test('every row parses its own default, and names one variable of its own', async (t) => {
  const envs = Object.values(SETTINGS).map((s) => s.env)
  t.equal(new Set(envs).size, envs.length)
  for (const s of Object.values(SETTINGS)) {
    t.ok(s.form.parse !== undefined, `${s.env} can be read from the environment`)
    if (s.default !== undefined) t.equal(s.form.parse!(String(s.default)), s.default, `${s.env}: its default ${String(s.default)} parses`)
  }
})
