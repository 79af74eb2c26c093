// The image's contents without Docker: read the Dockerfile, run the production steps it runs into a
// temporary folder, then start the runtime stage's CMD from that folder with only production
// dependencies, and check it serves and shuts down cleanly on SIGTERM.
import { startServerProcess } from '@zerodown/testkit'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test } from 'tap'
import { parseDockerfile } from './dockerfile.js'

const root = fileURLToPath(new URL('../../..', import.meta.url))
const dockerfile = parseDockerfile(readFileSync(join(root, 'apps/demo/Dockerfile'), 'utf8'))

test('the Dockerfile has the shape production needs', async (t) => {
  const [build, runtime] = dockerfile.stages
  t.equal(dockerfile.stages.length, 2, 'a build stage and a runtime stage')
  t.match(build?.from, /^\$\{NODE_IMAGE\}|^node:/)
  t.ok(build?.run.some((line) => line.includes('pnpm install --frozen-lockfile')), 'dependencies come from the lockfile')
  const bundle = build?.run.find((line) => line.includes('sh apps/demo/scripts/prod-bundle.sh /prod'))
  t.ok(bundle, 'production steps run through the shared script')
  for (const name of ['ZERODOWN_APP_VERSION', 'ZERODOWN_GIT_COMMIT', 'ZERODOWN_BUILD_TIME']) {
    t.match(bundle, `${name}=\${${name}}`, `the build argument ${name} reaches zerodown-build-info`)
  }
  t.match(dockerfile.args.NODE_IMAGE, /^node:\d+-/, 'a pinned Node.js base')
  t.same(runtime?.copy, ['--from=build /prod /app'], 'the runtime holds only the production folder')
  t.equal(runtime?.workdir, '/app')
  t.match(runtime?.user, /^\d+:\d+$/, 'a numeric non-root user')
  t.not(runtime?.user?.split(':')[0], '0')
  t.same(runtime?.cmd, ['node', 'dist/server.js'], 'node is PID 1, never npm')
  t.match(runtime?.expose, ['8080'])
})

test('the production folder serves and shuts down cleanly on SIGTERM', async (t) => {
  // Outside the workspace, as in the image: nothing can resolve from the repository's node_modules.
  const work = mkdtempSync(join(tmpdir(), 'zerodown-demo-image-'))
  t.teardown(() => rmSync(work, { recursive: true, force: true }))
  const dest = join(work, 'app')
  execFileSync('sh', ['apps/demo/scripts/prod-bundle.sh', dest], {
    cwd: root,
    env: { ...process.env, ZERODOWN_GIT_COMMIT: 'c0ffee', ZERODOWN_BUILD_TIME: '2026-11-25T00:00:00Z', ZERODOWN_APP_VERSION: '' },
    stdio: 'pipe'
  })

  const pkg = JSON.parse(readFileSync(join(dest, 'package.json'), 'utf8'))
  for (const dev of Object.keys(pkg.devDependencies ?? {})) {
    t.notOk(existsSync(join(dest, 'node_modules', dev)), `devDependency ${dev} is not in the image`)
  }
  t.notOk(existsSync(join(dest, 'src')), 'sources stay out of the image')
  t.ok(existsSync(join(dest, 'build-info.json')), 'build-info.json is generated at build time')

  const runtime = dockerfile.stages[1]!
  const [command, ...args] = runtime.cmd
  t.equal(command, 'node')
  const server = await startServerProcess({
    args,
    cwd: dest,
    // Only what the image and Kubernetes would give it: no workspace on the module path.
    env: { NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', NODE_PATH: '', ZERODOWN_APP_VERSION: '' }
  })
  t.teardown(() => { server.signal('SIGKILL') })

  const home = await fetch(server.origin + '/')
  t.equal(home.status, 200)
  const version = await (await fetch(server.origin + '/version')).json()
  t.match(version, { name: '@zerodown/demo', commit: 'c0ffee', buildTime: '2026-11-25T00:00:00Z' })

  server.signal('SIGTERM')
  const exit = await server.exited
  t.equal(exit.code, 0, 'exit 0 on SIGTERM')
})
