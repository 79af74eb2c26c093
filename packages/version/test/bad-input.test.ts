import Fastify from 'fastify'
import { test, type Test } from 'tap'
import { forms, MAX_HEADER_TEXT } from '@zerodown/contract'
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

// The words of the contract, which the chart's lint and zerodown-build-info use for the same values.
const TEXT = forms.headerText.expected
const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
const TEXT_RE = escape(TEXT)

const invalidOptions: Array<[string, unknown, RegExp]> = [
  ['version that is a number', { version: 1 }, new RegExp(`"version": expected ${TEXT_RE}, got 1$`)],
  ['empty name', { name: '' }, new RegExp(`"name": expected ${TEXT_RE}, got ""$`)],
  ['commit that is an object', { commit: {} }, /"commit": expected at most 256 printable ASCII characters.*got an object$/],
  ['a version option with CR/LF', { version: '1.0.0\r\nset-cookie: x=1' }, /"version": expected at most 256 printable ASCII characters/],
  ['a version with a NUL', { version: '1.0\u0000' }, /"version"/],
  ['a version with non-ASCII', { version: 'v1-é' }, /"version"/],
  ['a version with a leading space', { version: ' 1.0' }, /"version"/],
  [`a version of ${MAX_HEADER_TEXT + 1} characters`, { version: '1'.repeat(MAX_HEADER_TEXT + 1) }, /"version": expected at most 256/],
  [`a commit of ${MAX_HEADER_TEXT + 1} characters`, { commit: 'a'.repeat(MAX_HEADER_TEXT + 1) }, /"commit": expected at most 256/],
  [`an instance of ${MAX_HEADER_TEXT + 1} characters`, { instance: 'p'.repeat(MAX_HEADER_TEXT + 1) }, /"instance": expected at most 256/],
  ['a build time Date.parse takes but ISO 8601 does not', { buildTime: 'foo 1' }, /"buildTime": expected an ISO 8601 date like 2026-11-25T10:00:00Z .*got "foo 1"$/],
  ['path without a leading slash', { path: 'version' }, /"path": expected false or a literal path like "\/readyz".*got "version"$/],
  ['path with a route parameter', { path: '/version/:id' }, /"path": expected false or a literal path/],
  ['path with a query', { path: '/version?x=1' }, /"path": expected false or a literal path/],
  ['path that is true', { path: true }, /"path": expected false or a literal path.*got true$/],
  ['header with a space', { header: 'x app version' }, /"header": expected false or an HTTP header name like "x-app-version", got "x app version"/],
  ['header with a colon', { header: 'x-version:' }, /"header"/],
  ['header that is a number', { header: 42 }, /"header".*got 42$/],
  ['headerOn that is not a known scope', { headerOn: 'everything' }, /"headerOn": expected "routes" or "all", got "everything"/],
  ['env that is a string', { env: 'production' }, /"env": expected an object/],
  ['cwd that is a number', { cwd: 3 }, /"cwd": expected a non-empty string/],
  ['a misspelled option', { heder: 'x-v' }, /option "heder": expected a known option: did you mean "header"\?, got an unknown key$/]
]

for (const [title, opts, message] of invalidOptions) {
  test(`rejects ${title}`, async (t) => {
    const err = await register(opts).then(() => undefined, (e: unknown) => e)
    t.type(err, VersionInvalidOptionError)
    t.equal((err as { code: string }).code, 'FST_ZERODOWN_VERSION_INVALID_OPTION')
    t.match((err as Error).message, message)
  })
}

test('a version, commit and instance of exactly MAX_HEADER_TEXT characters are taken', async (t) => {
  const long = 'v'.repeat(MAX_HEADER_TEXT)
  await t.resolves(register({ version: long, commit: long, instance: long, buildTime: '2026-11-25' }))
})

test('a package.json version with a newline is refused naming the file', async (t) => {
  const cwd = t.testdir({ 'package.json': JSON.stringify({ name: 'a', version: '1.0\n' }) })
  const err = await register({}, cwd).then(() => undefined, (e: unknown) => e)
  t.type(err, VersionUnsafeValueError)
  t.equal((err as { code: string }).code, 'FST_ZERODOWN_VERSION_UNSAFE_VALUE')
  t.match((err as Error).message, /^The version from package\.json cannot be used: got "1\.0\\n": it must be at most 256/)
})

const invalidEnv: Array<[string, string, string]> = [
  ['ZERODOWN_APP_VERSION', '1.0\r\nset-cookie: x=1', TEXT],
  ['ZERODOWN_APP_VERSION', ' 1.0', TEXT],
  ['ZERODOWN_APP_VERSION', 'v'.repeat(20_000), TEXT],
  ['ZERODOWN_GIT_COMMIT', 'abc\u0000', TEXT],
  ['ZERODOWN_GIT_COMMIT', 'café', TEXT],
  ['ZERODOWN_BUILD_TIME', 'yesterday', forms.isoDate.expected],
  ['ZERODOWN_BUILD_TIME', '1', forms.isoDate.expected],
  ['ZERODOWN_BUILD_TIME', 'foo 1', forms.isoDate.expected],
  ['ZERODOWN_BUILD_TIME', '2026-11-25\n', forms.isoDate.expected],
  ['HOSTNAME', 'pod\tname', TEXT]
]

for (const [variable, value, expected] of invalidEnv) {
  test(`rejects ${variable}=${JSON.stringify(value.slice(0, 40))}, naming the variable`, async (t) => {
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

test('a version path that is also a route of the app is a coded error, whichever is registered first', async (t) => {
  const before = Fastify()
  before.get('/version', async () => 'mine')
  before.register(zerodownVersion, { env: {} })
  t.match(await before.ready().then(() => undefined, (err: unknown) => err), { code: 'FST_ZERODOWN_VERSION_PATH_TAKEN', message: /path: \/version is also a route of the app/ })
  await before.close()

  const after = Fastify()
  t.teardown(() => after.close())
  await after.register(zerodownVersion, { env: {}, path: '/' })
  t.throws(() => after.get('/', async () => 'home'), { code: 'FST_ZERODOWN_VERSION_PATH_TAKEN' })
  t.doesNotThrow(() => after.get('/other', async () => 'fine'))
})
