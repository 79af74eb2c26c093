import Fastify from 'fastify'
import { join } from 'node:path'
import { test, type Test } from 'tap'
import zerodownVersion, { type VersionOptions } from '../src/index.js'

async function infoFor (t: Test, opts: VersionOptions) {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(zerodownVersion, opts)
  return app.versionInfo
}

const pkg = JSON.stringify({ name: 'from-package', version: '1.0.0-package' })
const buildInfo = JSON.stringify({ name: 'from-file', version: '1.0.0-file', commit: 'commit-file', buildTime: '2026-01-01T00:00:00.000Z' })
const env = { ZERODOWN_APP_VERSION: '1.0.0-env', ZERODOWN_GIT_COMMIT: 'commit-env', ZERODOWN_BUILD_TIME: '2026-02-02T00:00:00.000Z', HOSTNAME: 'pod-env' }
const options = { name: 'from-option', version: '1.0.0-option', commit: 'commit-option', buildTime: '2026-03-03T00:00:00.000Z', instance: 'pod-option' }

type Files = Parameters<Test['testdir']>[0]

// Each row: which sources exist, and what wins for every field.
const table: Array<{ title: string, files: Files, opts: VersionOptions, want: Record<string, string> }> = [
  {
    title: 'options win over everything',
    files: { 'package.json': pkg, 'build-info.json': buildInfo },
    opts: { ...options, env },
    want: { name: 'from-option', version: '1.0.0-option', commit: 'commit-option', buildTime: '2026-03-03T00:00:00.000Z', instance: 'pod-option' }
  },
  {
    title: 'environment wins over build-info.json and package.json',
    files: { 'package.json': pkg, 'build-info.json': buildInfo },
    opts: { env },
    want: { name: 'from-file', version: '1.0.0-env', commit: 'commit-env', buildTime: '2026-02-02T00:00:00.000Z', instance: 'pod-env' }
  },
  {
    title: 'build-info.json wins over package.json',
    files: { 'package.json': pkg, 'build-info.json': buildInfo },
    opts: { env: { HOSTNAME: 'pod-env' } },
    want: { name: 'from-file', version: '1.0.0-file', commit: 'commit-file', buildTime: '2026-01-01T00:00:00.000Z', instance: 'pod-env' }
  },
  {
    title: 'package.json alone gives name and version; the rest is unknown',
    files: { 'package.json': pkg },
    opts: { env: { HOSTNAME: 'pod-env' } },
    want: { name: 'from-package', version: '1.0.0-package', commit: 'unknown', buildTime: 'unknown', instance: 'pod-env' }
  },
  {
    title: 'empty environment values are ignored',
    files: { 'package.json': pkg },
    opts: { env: { ZERODOWN_APP_VERSION: '', ZERODOWN_GIT_COMMIT: '', ZERODOWN_BUILD_TIME: '', HOSTNAME: 'pod-env' } },
    want: { version: '1.0.0-package', commit: 'unknown', buildTime: 'unknown' }
  },
  {
    title: 'a package.json that is not JSON gives nothing: name and version are unknown',
    files: { 'package.json': '{ "name": "half-written' },
    opts: { env: { HOSTNAME: 'pod-env' } },
    want: { name: 'unknown', version: 'unknown', commit: 'unknown', buildTime: 'unknown' }
  },
  {
    title: 'the old names (APP_VERSION, GIT_COMMIT, BUILD_TIME) are not read',
    files: { 'package.json': pkg },
    opts: { env: { APP_VERSION: '9.9.9', GIT_COMMIT: 'old', BUILD_TIME: '2020-01-01T00:00:00Z', HOSTNAME: 'pod-env' } },
    want: { version: '1.0.0-package', commit: 'unknown', buildTime: 'unknown' }
  }
]

for (const row of table) {
  test(row.title, async (t) => {
    const cwd = t.testdir(row.files)
    t.match(await infoFor(t, { cwd, ...row.opts }), row.want)
  })
}

test('the nearest package.json is found in a parent folder', async (t) => {
  const root = t.testdir({ 'package.json': pkg, dist: { nested: {} } })
  t.match(await infoFor(t, { cwd: join(root, 'dist', 'nested'), env: {} }), { name: 'from-package', version: '1.0.0-package' })
})

test('buildInfoPath points at another file, relative to cwd', async (t) => {
  const cwd = t.testdir({ 'package.json': pkg, meta: { 'info.json': JSON.stringify({ version: '9.9.9', commit: 'deadbeef' }) } })
  t.match(await infoFor(t, { cwd, buildInfoPath: 'meta/info.json', env: {} }), { name: 'from-package', version: '9.9.9', commit: 'deadbeef' })
})

test('instance falls back to the OS host name', async (t) => {
  const { hostname } = await import('node:os')
  t.equal((await infoFor(t, { env: {} })).instance, hostname())
})
