import { execFileSync, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test } from 'tap'

// The built bin, exactly as npm links it.
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url))
const pkg = JSON.stringify({ name: 'my-app', version: '2.3.4' })

function run (cwd: string, args: string[] = [], env: Record<string, string> = {}) {
  const clean = { ...process.env, ZERODOWN_APP_VERSION: '', ZERODOWN_GIT_COMMIT: '', ZERODOWN_BUILD_TIME: '', ...env }
  return spawnSync(process.execPath, [cli, ...args], { cwd, env: clean, encoding: 'utf8' })
}

const readJson = (file: string): Record<string, string> => JSON.parse(readFileSync(file, 'utf8'))

test('in a git checkout it records the HEAD commit', async (t) => {
  const cwd = t.testdir({ 'package.json': pkg })
  const git = (...args: string[]): string => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim()
  git('init', '-q')
  git('-c', 'user.email=ci@example.com', '-c', 'user.name=ci', 'commit', '-q', '--allow-empty', '-m', 'first')
  const head = git('rev-parse', 'HEAD')

  const before = Date.now()
  const result = run(cwd)
  t.equal(result.status, 0, result.stderr)
  const info = readJson(join(cwd, 'build-info.json'))
  t.same(Object.keys(info).sort(), ['buildTime', 'commit', 'name', 'version'])
  t.match(info, { name: 'my-app', version: '2.3.4', commit: head })
  t.ok(Date.parse(info.buildTime!) >= before - 1000, 'buildTime is now')
  t.match(result.stdout, /my-app@2\.3\.4/)
})

test('outside a git checkout the commit is "unknown", and --out chooses the file', async (t) => {
  const cwd = t.testdir({ 'package.json': pkg, out: {} })
  // GIT_CEILING_DIRECTORIES stops git from finding the repository this test runs in.
  const result = run(cwd, ['--out', 'out/info.json'], { GIT_CEILING_DIRECTORIES: join(cwd, '..') })
  t.equal(result.status, 0, result.stderr)
  t.match(readJson(join(cwd, 'out', 'info.json')), { name: 'my-app', version: '2.3.4', commit: 'unknown' })
})

test('build arguments come in through ZERODOWN_GIT_COMMIT, ZERODOWN_BUILD_TIME and ZERODOWN_APP_VERSION; flags win', async (t) => {
  const cwd = t.testdir({ 'package.json': pkg })
  const env = { ZERODOWN_GIT_COMMIT: 'f00dcafe', ZERODOWN_BUILD_TIME: '2026-05-05T05:05:05Z', ZERODOWN_APP_VERSION: '9.0.0' }
  t.equal(run(cwd, [], env).status, 0)
  t.match(readJson(join(cwd, 'build-info.json')), { commit: 'f00dcafe', buildTime: '2026-05-05T05:05:05Z', version: '9.0.0' })

  t.equal(run(cwd, ['--commit', 'abc', '--version', '1.0.0-rc.1', '--name', 'renamed'], env).status, 0)
  t.match(readJson(join(cwd, 'build-info.json')), { commit: 'abc', version: '1.0.0-rc.1', name: 'renamed' })
})

test('bad arguments exit 1 with a message and the usage', async (t) => {
  const cwd = t.testdir({ 'package.json': pkg })
  const unknown = run(cwd, ['--bogus'])
  t.equal(unknown.status, 1)
  t.match(unknown.stderr, /zerodown-build-info: Unknown option '--bogus'[\s\S]*Usage:/)

  const badTime = run(cwd, ['--build-time', 'yesterday'])
  t.equal(badTime.status, 1)
  t.match(badTime.stderr, /--build-time must be an ISO 8601 date like 2026-11-25T10:00:00Z .*, got "yesterday"/)
  const badEnvTime = run(cwd, [], { ZERODOWN_BUILD_TIME: 'tomorrow' })
  t.equal(badEnvTime.status, 1)
  t.match(badEnvTime.stderr, /environment variable ZERODOWN_BUILD_TIME must be an ISO 8601 date like .*, got "tomorrow"/)
  // What the plugin would refuse at start is refused here, before an image is built with it.
  for (const [args, env, from] of [
    [['--commit', 'abc\r\nX'], {}, '--commit'],
    [['--version', 'v'.repeat(257)], {}, '--version'],
    [['--build-time', '1'], {}, '--build-time'],
    [[], { ZERODOWN_GIT_COMMIT: 'café' }, 'environment variable ZERODOWN_GIT_COMMIT']
  ] as Array<[string[], Record<string, string>, string]>) {
    const refused = run(cwd, args, env)
    t.equal(refused.status, 1, `${from} refused`)
    t.match(refused.stderr, new RegExp(`^zerodown-build-info: ${from} must be `))
  }
  t.equal(run(cwd, [], { APP_VERSION: '7.7.7', GIT_COMMIT: 'old', BUILD_TIME: 'not a date' }).status, 0, 'the old names are not read')
  t.match(readJson(join(cwd, 'build-info.json')), { version: '2.3.4' })

  const unwritable = run(cwd, ['--out', 'no/such/folder/info.json'])
  t.equal(unwritable.status, 1)
  t.match(unwritable.stderr, /ENOENT/)
})

test('--help prints the usage', async (t) => {
  const result = run(t.testdir({}), ['--help'])
  t.equal(result.status, 0)
  t.match(result.stdout, /Usage: zerodown-build-info/)
})

test('without a readable package.json, name and version are "unknown"; ZERODOWN_BUILD_TIME gives the build time', async (t) => {
  const cwd = t.testdir({ 'package.json': '{ "name": "half-written' })
  const result = run(cwd, [], { GIT_CEILING_DIRECTORIES: join(cwd, '..'), ZERODOWN_BUILD_TIME: '2026-05-05T05:05:05.000Z' })
  t.equal(result.status, 0, result.stderr)
  t.same(readJson(join(cwd, 'build-info.json')), { name: 'unknown', version: 'unknown', commit: 'unknown', buildTime: '2026-05-05T05:05:05.000Z' })
})
