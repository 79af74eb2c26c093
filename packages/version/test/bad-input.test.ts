import Fastify from 'fastify'
import { test, type Test } from 'tap'
import zerodownVersion, {
  VersionBuildInfoError,
  VersionInvalidEnvError,
  VersionInvalidOptionError,
  VersionUnsafeValueError,
  type VersionOptions
} from '../src/index.js'

async function register (opts: unknown, cwd?: string): Promise<void> {
  const app = Fastify()
  try {
    await app.register(zerodownVersion, { env: {}, ...(cwd !== undefined && { cwd }), ...(opts as VersionOptions) })
    await app.ready()
  } finally {
    await app.close()
  }
}

const invalidOptions: Array<[string, unknown, RegExp]> = [
  ['version that is a number', { version: 1 }, /"version": expected a non-empty string, got number 1/],
  ['empty name', { name: '' }, /"name": expected a non-empty string, got ""/],
  ['commit that is an object', { commit: {} }, /"commit": expected a non-empty string/],
  ['path without a leading slash', { path: 'version' }, /"path": expected false or a string starting with "\/", got "version"/],
  ['path that is true', { path: true }, /"path": expected false or a string/],
  ['header with a space', { header: 'x app version' }, /"header": expected false or an HTTP header name like "x-app-version", got "x app version"/],
  ['header with a colon', { header: 'x-version:' }, /"header"/],
  ['header that is a number', { header: 42 }, /"header".*got number 42/],
  ['headerOn that is not a known scope', { headerOn: 'everything' }, /"headerOn": expected "routes" or "all", got "everything"/],
  ['env that is a string', { env: 'production' }, /"env": expected an object/],
  ['cwd that is a number', { cwd: 3 }, /"cwd": expected a non-empty string/]
]

for (const [title, opts, message] of invalidOptions) {
  test(`rejects ${title}`, async (t) => {
    const err = await register(opts).then(() => undefined, (e: unknown) => e)
    t.type(err, VersionInvalidOptionError)
    t.equal((err as { code: string }).code, 'FST_ZERODOWN_VERSION_INVALID_OPTION')
    t.match((err as Error).message, message)
  })
}

const unsafeValues: Array<[string, VersionOptions, RegExp]> = [
  ['a version option with CR/LF', { version: '1.0.0\r\nset-cookie: x=1' }, /The version from option "version"/],
  ['a version with a NUL', { version: '1.0\u0000' }, /The version/],
  ['a version with non-ASCII', { version: 'v1-é' }, /The version/],
  ['a version with a leading space', { version: ' 1.0' }, /The version/],
  ['a package.json version with a newline', {}, /The version from package\.json/]
]

for (const [title, opts, message] of unsafeValues) {
  test(`rejects ${title}`, async (t) => {
    const cwd = t.testdir({ 'package.json': JSON.stringify({ name: 'a', version: '1.0\n' }) })
    const err = await register(opts, cwd).then(() => undefined, (e: unknown) => e)
    t.type(err, VersionUnsafeValueError)
    t.equal((err as { code: string }).code, 'FST_ZERODOWN_VERSION_UNSAFE_VALUE')
    t.match((err as Error).message, message)
  })
}

const HEADER_FORM = 'printable ASCII without line breaks or surrounding spaces (it is sent in an HTTP header)'
const invalidEnv: Array<[string, string, string]> = [
  ['ZERODOWN_APP_VERSION', '1.0\r\nset-cookie: x=1', HEADER_FORM],
  ['ZERODOWN_APP_VERSION', ' 1.0', HEADER_FORM],
  ['ZERODOWN_GIT_COMMIT', 'abc\u0000', HEADER_FORM],
  ['ZERODOWN_GIT_COMMIT', 'café', HEADER_FORM],
  ['ZERODOWN_BUILD_TIME', 'yesterday', 'an ISO 8601 date like 2026-11-25T10:00:00Z'],
  ['ZERODOWN_BUILD_TIME', '2026-11-25\n', HEADER_FORM],
  ['HOSTNAME', 'pod\tname', HEADER_FORM]
]

for (const [variable, value, expected] of invalidEnv) {
  test(`rejects ${variable}=${JSON.stringify(value)}, naming the variable`, async (t) => {
    const err = await register({ env: { [variable]: value } }).then(() => undefined, (e: unknown) => e)
    t.type(err, VersionInvalidEnvError)
    t.equal((err as { code: string }).code, 'FST_ZERODOWN_VERSION_INVALID_ENV')
    t.equal((err as Error).message, `Invalid @zerodown/version environment: environment variable ${variable} must be ${expected}, got ${JSON.stringify(value)}`)
  })
}

test('a malformed variable is not read when its option is given', async (t) => {
  await t.resolves(register({
    version: '1.0.0',
    commit: 'abc',
    buildTime: '2026-01-01T00:00:00Z',
    instance: 'pod',
    env: { ZERODOWN_APP_VERSION: '\n', ZERODOWN_GIT_COMMIT: '\n', ZERODOWN_BUILD_TIME: 'x', HOSTNAME: '\t' }
  }))
})

type Files = Parameters<Test['testdir']>[0]

const badFiles: Array<[string, Files, VersionOptions, RegExp]> = [
  ['malformed JSON', { 'build-info.json': '{"version": ' }, {}, /build-info\.json: it is not valid JSON/],
  ['a JSON array', { 'build-info.json': '[]' }, {}, /build-info\.json: it must hold a JSON object/],
  ['a version that is a number', { 'build-info.json': '{"version": 2}' }, {}, /build-info\.json: "version" must be a string, got 2/],
  ['a configured file that does not exist', {}, { buildInfoPath: 'missing.json' }, /missing\.json: the file does not exist/],
  ['a configured path that is a folder', { folder: {} }, { buildInfoPath: 'folder' }, /folder: it cannot be read \(EISDIR\)/],
  ['a version with CR/LF inside the file', { 'build-info.json': '{"version": "1\\r\\n2"}' }, {}, /The version from build info file .*build-info\.json/]
]

for (const [title, files, opts, message] of badFiles) {
  test(`rejects build info with ${title}, naming the file`, async (t) => {
    const cwd = t.testdir(files)
    const err = await register(opts, cwd).then(() => undefined, (e: unknown) => e)
    t.ok(err instanceof VersionBuildInfoError || err instanceof VersionUnsafeValueError, 'a coded error')
    t.match((err as { code: string }).code, /^FST_ZERODOWN_VERSION_/)
    t.match((err as Error).message, message)
  })
}

test('a missing build-info.json at the default path is not an error', async (t) => {
  const cwd = t.testdir({ 'package.json': '{"name":"a","version":"1.0.0"}' })
  await t.resolves(register({}, cwd))
})

test('registering twice on one instance fails clearly', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(zerodownVersion, { env: {}, version: '1.0.0' })
  await t.rejects(async () => { await app.register(zerodownVersion, { env: {}, version: '1.0.0' }) }, { code: 'FST_ERR_DEC_ALREADY_PRESENT' })
})
