import Fastify from 'fastify'
import { test, type Test } from 'tap'
import zerodownVersion, {
  VersionBuildInfoError,
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
  ['an APP_VERSION with a newline', { env: { APP_VERSION: '1.0\n' } }, /The version from environment variable APP_VERSION/],
  ['a version with a NUL', { version: '1.0\u0000' }, /The version/],
  ['a version with non-ASCII', { version: 'v1-é' }, /The version/],
  ['a version with a leading space', { version: ' 1.0' }, /The version/],
  ['a HOSTNAME with a tab', { env: { HOSTNAME: 'pod\tname' } }, /The instance from environment variable HOSTNAME/]
]

for (const [title, opts, message] of unsafeValues) {
  test(`rejects ${title}`, async (t) => {
    const err = await register(opts).then(() => undefined, (e: unknown) => e)
    t.type(err, VersionUnsafeValueError)
    t.equal((err as { code: string }).code, 'FST_ZERODOWN_VERSION_UNSAFE_VALUE')
    t.match((err as Error).message, message)
  })
}

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
