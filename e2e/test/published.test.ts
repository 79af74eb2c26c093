// The packages as a user receives them from a registry. Verdaccio runs on 127.0.0.1 (no uplink for
// @zerodown); on a scratch copy of the repository the release workflow's own version script and
// publish script run as the workflow runs them, and publish there. Then a user's own app (not the
// demo) installs the public packages with npm from that registry, renders its values with the
// installed zerodown-deploy and rehearses its rollout with the installed zerodown-rehearse. Each
// package is also installed alone, to see what it pulls in and what it weighs.
import { execFile } from 'node:child_process'
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { startRegistry, type Registry } from '../lib/registry.js'
import { cleanEnv, readReleaseWorkflow, removeScratch, root, runIn, scratchCopy, workspaceDirs } from '../lib/release.js'

const execFileAsync = promisify(execFile)
const PUBLIC = ['@zerodown/contract', '@zerodown/shutdown', '@zerodown/probes', '@zerodown/version', '@zerodown/deploy', '@zerodown/rehearse']
const fixture = new URL('../fixtures/orders/', import.meta.url)
const SIZES = new URL('../sizes.json', import.meta.url)
interface Measured { packed: number, unpacked: number, maps: number, files: number, install: number, installedPackages: number }
interface Sizes {
  measured: { date: string, node: string, npm: string }
  sourceMapDecision: string
  together: { install: number, installedPackages: number }
  packages: Record<string, Measured & { budget: { packed: number, unpacked: number, install: number } }>
}
const sizes = JSON.parse(readFileSync(SIZES, 'utf8')) as Sizes

const project = mkdtempSync(join(tmpdir(), 'zerodown-e2e-'))
let registry: Registry | undefined
let scratch: string | undefined
t.teardown(async () => {
  rmSync(project, { recursive: true, force: true })
  if (scratch !== undefined) removeScratch(scratch)
  await registry?.stop()
})

const bin = (name: string): string => join(project, 'node_modules', '.bin', name)

interface Outcome { code: number, stdout: string, stderr: string }
async function exec (file: string, args: string[], env: Record<string, string> = {}, cwd = project): Promise<Outcome> {
  try {
    const { stdout, stderr } = await execFileAsync(file, args, { cwd, env: cleanEnv(env), maxBuffer: 64 * 1024 * 1024, timeout: 150_000 })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code?: number | string, stdout?: string, stderr?: string, killed?: boolean }
    if (typeof e.code !== 'number') throw err
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }
  }
}

// npm as a user runs it, against the loopback registry only.
const npm = (args: string[], cwd = project): Promise<Outcome> =>
  exec('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { NPM_CONFIG_USERCONFIG: registry!.npmrc }, cwd)

interface PodEvent { at: number, pod: string, kind: string }
interface Result {
  ok: boolean
  outcome: string
  totals: { requests: number, failed: number }
  failures: Record<string, number>
  afterRollout: { requests: number, otherVersion: number }
  pods: Array<{ name: string, version: string }>
  podEvents: PodEvent[]
}

const rehearse = (args: string[]): Promise<Outcome> =>
  exec(bin('zerodown-rehearse'), ['--manifest', 'manifest.yaml', '--load', 'load.yaml', ...args, '--', 'node', 'server.mjs'])

// What the workflow's changesets step sets, and what becomes of each here. A variable added to the
// workflow fails the test until it is placed in one of these.
const STEP_ENV: Record<string, string> = {
  NODE_AUTH_TOKEN: 'the token of the registry\'s release user',
  GITHUB_TOKEN: 'not set: the action uses it for the version pull request and GitHub releases, not the publish script',
  NPM_CONFIG_PROVENANCE: 'not set: provenance is signed with the OIDC token only a GitHub Actions run has'
}
const workflow = readReleaseWorkflow()
const timings: Record<string, number> = {}
const versions = new Map<string, string>()
let releaseLog = ''

async function timed<T> (name: string, work: () => Promise<T>): Promise<T> {
  const start = performance.now()
  try {
    return await work()
  } finally {
    timings[name] = Math.round(performance.now() - start) / 1000
  }
}

const git = (dir: string, args: string[]): Promise<unknown> => runIn(dir, ['git', ...args], {
  GIT_AUTHOR_NAME: 'release', GIT_AUTHOR_EMAIL: 'release@127.0.0.1', GIT_COMMITTER_NAME: 'release', GIT_COMMITTER_EMAIL: 'release@127.0.0.1'
})
const readVersions = (dir: string): Map<string, string> => new Map(workspaceDirs(dir).map((pkgDir) => {
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { name: string, version: string }
  return [pkg.name, pkg.version]
}))
const pendingChangesets = (dir: string): string[] =>
  readdirSync(join(dir, '.changeset')).filter((file) => file.endsWith('.md') && file !== 'README.md')

// The environment of the workflow's changesets step, pointed at this registry.
function releaseEnv (): Record<string, string> {
  const reg = registry!
  // What actions/setup-node writes for registry-url (and points NPM_CONFIG_USERCONFIG at), with
  // this registry in place of npmjs.
  const setupNodeNpmrc = join(reg.dir, 'setup-node.npmrc')
  writeFileSync(setupNodeNpmrc, `//${new URL(reg.url).host}/:_authToken=\${NODE_AUTH_TOKEN}\nregistry=${reg.url}\n`)
  return {
    ...workflow.env,
    NPM_CONFIG_USERCONFIG: setupNodeNpmrc,
    NODE_AUTH_TOKEN: reg.token,
    // changeset publish asks `npm info` of the registry in npm_config_registry, npmjs when unset.
    npm_config_registry: reg.url,
    // Nothing but loopback: a publish that went past this registry fails instead of reaching out.
    HTTPS_PROXY: 'http://127.0.0.1:9',
    HTTP_PROXY: 'http://127.0.0.1:9',
    NO_PROXY: '127.0.0.1'
  }
}

// The release as the workflow runs it on the merge of a "Version Packages" pull request: no
// changeset is pending (else the action would open that pull request instead), and the publish
// script runs on that commit.
async function release (): Promise<void> {
  const dir = scratch = scratchCopy()
  for (const file of pendingChangesets(dir)) rmSync(join(dir, '.changeset', file))
  await git(dir, ['init', '-q', '-b', 'main'])
  await git(dir, ['add', '-A'])
  await git(dir, ['commit', '-q', '-m', 'Version Packages'])
  for (const [name, version] of readVersions(dir)) versions.set(name, version)
  const published = await timed('publish', () => runIn(dir, workflow.publish, releaseEnv()))
  releaseLog = published.stdout + published.stderr
}

t.before(async () => {
  registry = await startRegistry()
  await release()
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'orders', private: true, version: '1.0.0', type: 'module' }, null, 2))
  const installed = await timed('install', () => npm(['install', ...PUBLIC, 'fastify@^5']))
  if (installed.code !== 0) throw new Error(`npm install from the registry failed:\n${installed.stderr}\n${registry!.output()}`)
  cpSync(fixture, project, { recursive: true })

  const lint = await exec(bin('zerodown-deploy'), ['lint', 'orders', '-f', 'values.yaml'])
  if (lint.code !== 0) throw new Error(`zerodown-deploy lint refused the fixture's values:\n${lint.stderr}`)
  const rendered = await exec(bin('zerodown-deploy'), ['render', 'orders', '-f', 'values.yaml'])
  if (rendered.code !== 0) throw new Error(`zerodown-deploy render failed:\n${rendered.stderr}`)
  writeFileSync(join(project, 'manifest.yaml'), rendered.stdout)
})

t.test('the release is the workflow\'s own, and it published every public package there', async (t) => {
  t.same(workflow.publish, ['pnpm', 'release'], 'the workflow publishes with the project\'s release script')
  t.same(workflow.version, ['pnpm', 'changeset', 'version'], 'and versions with changesets')
  const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts
  t.match(scripts.release, /^turbo run build && changeset publish$/, 'pnpm release builds, then publishes with changesets')
  t.same(Object.keys(workflow.stepEnv).sort(), Object.keys(STEP_ENV).sort(), 'every variable the step sets is accounted for here')
  t.equal(workflow.registryUrl, 'https://registry.npmjs.org', 'setup-node points the token at npmjs, which this test replaces with its own registry')
  const cached = releaseLog.match(/Cached:\s+(\d+) cached, (\d+) total/)
  t.comment(`publish script ${timings.publish} s (turbo replayed ${cached?.[1] ?? '?'} of ${cached?.[2] ?? '?'} builds from its cache), npm install of all six ${timings.install} s`)

  const publics = workspaceDirs(root).map((dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string, private?: boolean })
    .filter((pkg) => pkg.private !== true).map((pkg) => pkg.name).sort()
  t.same(publics, [...PUBLIC].sort(), 'the public packages are the six this test installs')
  const tags = (await runIn(scratch!, ['git', 'tag', '--list'], {})).stdout.split('\n').filter(Boolean).sort()
  t.same(tags, PUBLIC.map((name) => `${name}@${versions.get(name)}`).sort(), 'changeset publish tagged each published version, and nothing else')
  for (const name of PUBLIC) t.match(releaseLog, new RegExp(`${name.replace('/', '\\/')}@${versions.get(name)!.replace(/\./g, '\\.')}`), `the release log names ${name}@${versions.get(name)}`)
})

t.test('the version script versions only the public packages, and each then publishes its CHANGELOG', async (t) => {
  const dir = scratch!
  const before = readVersions(dir)
  writeFileSync(join(dir, '.changeset/release-rehearsal.md'),
    ['---', ...PUBLIC.map((name) => `"${name}": patch`), '---', '', 'Release rehearsal: a sample change.', ''].join('\n'))
  await timed('version', () => runIn(dir, workflow.version, releaseEnv()))
  t.same(pendingChangesets(dir), [], 'the changeset is consumed')
  const after = readVersions(dir)
  for (const pkgDir of workspaceDirs(dir)) {
    const { name } = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { name: string }
    const changelog = join(pkgDir, 'CHANGELOG.md')
    if (!PUBLIC.includes(name)) {
      t.equal(after.get(name), before.get(name), `${name} is private: its version stays`)
      t.notOk(existsSync(changelog), `${name} gets no CHANGELOG`)
      continue
    }
    t.not(after.get(name), before.get(name), `${name}: ${before.get(name)} -> ${after.get(name)}`)
    t.match(existsSync(changelog) ? readFileSync(changelog, 'utf8') : '', `## ${after.get(name)}`, `${name}: its CHANGELOG names the new version`)
    const packed = JSON.parse((await runIn(pkgDir, ['pnpm', 'pack', '--dry-run', '--json'], {})).stdout) as { files: Array<{ path: string }> }
    t.ok(packed.files.some((f) => f.path === 'CHANGELOG.md'), `${name} publishes CHANGELOG.md`)
  }
})

interface Packument {
  name: string
  'dist-tags': Record<string, string>
  versions: Record<string, Manifest>
  readme?: string
}
interface Manifest {
  name: string
  version: string
  description?: string
  license?: string
  homepage?: string
  bugs?: { url?: string }
  repository?: { type?: string, url?: string, directory?: string }
  engines?: Record<string, string>
  types?: string
  exports?: Record<string, unknown>
  dependencies?: Record<string, string>
  devDependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
  dist: { tarball: string, integrity: string, unpackedSize?: number, fileCount?: number }
}
const packument = async (name: string): Promise<Packument> => {
  const res = await fetch(new URL(name.replace('/', '%2f'), registry!.url))
  if (!res.ok) throw new Error(`GET ${name} from the registry: ${res.status}`)
  return await res.json() as Packument
}

t.test('npm view shows what a user reads before installing', async (t) => {
  const engines = (JSON.parse(readFileSync(join(root, 'scripts/node-lines.json'), 'utf8')) as { engines: string }).engines
  for (const name of PUBLIC) {
    const viewed = await npm(['view', name, '--json'])
    t.equal(viewed.code, 0, `npm view ${name}`)
    const meta = JSON.parse(viewed.stdout) as Manifest & { 'dist-tags': Record<string, string> }
    const dir = workspaceDirs(root).find((d) => d.endsWith(meta.repository?.directory ?? '\0'))
    t.equal(meta.version, versions.get(name), `${name}: the version the release published`)
    t.same(meta['dist-tags'], { latest: versions.get(name) }, `${name}: latest is that version`)
    t.ok((meta.description ?? '').length > 20, `${name}: a description`)
    t.equal(meta.license, 'MIT', `${name}: license`)
    t.same(meta.engines, { node: engines }, `${name}: engines`)
    t.equal(meta.types, './dist/index.d.ts', `${name}: types`)
    t.match(meta.repository, { type: 'git', url: 'git+https://github.com/zerodown/zerodown.git' }, `${name}: repository`)
    t.ok(dir !== undefined, `${name}: repository.directory (${meta.repository?.directory}) is its folder`)
    t.equal(meta.homepage, `https://github.com/zerodown/zerodown/tree/main/${meta.repository?.directory}#readme`, `${name}: homepage is its README`)
    t.same(meta.bugs, { url: 'https://github.com/zerodown/zerodown/issues' }, `${name}: bugs`)
    for (const [dep, range] of Object.entries({ ...meta.dependencies, ...meta.peerDependencies })) {
      t.notMatch(range, /^(workspace|catalog|link|file):/, `${name}: ${dep}@${range} is a range npm resolves`)
      if (dep.startsWith('@zerodown/')) t.equal(range, `^${versions.get(dep)}`, `${name}: ${dep} is the published ${versions.get(dep)}`)
    }
    const full = await packument(name)
    const readme = readFileSync(join(dir ?? root, 'README.md'), 'utf8')
    t.equal(full.readme?.trim(), readme.trim(), `${name}: the registry shows the README that readmes.test.ts checks`)
  }
})

t.test('nothing of the scope comes from elsewhere: an unpublished name is not found', async (t) => {
  const missing = await npm(['view', '@zerodown/testkit', 'version'])
  t.not(missing.code, 0, 'the workspace-only @zerodown/testkit is not on the registry')
  t.match(missing.stderr, /E404|404/, `and npm says so: ${missing.stderr.trim().split('\n')[0]}`)
})

// Each package alone in an empty project: what a user who wants only that one pulls in, and weighs.
const bytes = (dir: string): number => readdirSync(dir, { recursive: true, withFileTypes: true })
  .filter((entry) => entry.isFile()).reduce((sum, entry) => sum + lstatSync(join(entry.parentPath, entry.name)).size, 0)
const mapBytes = (dir: string): number => readdirSync(dir, { recursive: true, withFileTypes: true })
  .filter((entry) => entry.isFile() && entry.name.endsWith('.map')).reduce((sum, entry) => sum + lstatSync(join(entry.parentPath, entry.name)).size, 0)

interface Alone extends Measured { name: string, installed: string[] }
async function installAlone (name: string): Promise<Alone> {
  const dir = join(project, 'alone', name.replace('/', '+'))
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'alone', private: true, version: '0.0.0' }))
  const result = await npm(['install', name], dir)
  if (result.code !== 0) throw new Error(`npm install ${name} alone failed:\n${result.stderr}`)
  const lock = JSON.parse(readFileSync(join(dir, 'node_modules/.package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> }
  const installed = Object.keys(lock.packages).map((path) => path.split('node_modules/').pop()!)
  const own = join(dir, 'node_modules', name)
  const meta = (await packument(name)).versions[versions.get(name)!]!
  const tarball = await fetch(meta.dist.tarball)
  return {
    name,
    installed,
    install: bytes(join(dir, 'node_modules')),
    installedPackages: installed.length,
    unpacked: bytes(own),
    packed: (await tarball.arrayBuffer()).byteLength,
    maps: mapBytes(own),
    files: readdirSync(own, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length
  }
}

t.test('each package installs alone from the registry, pulling in nothing of the workspace or of its development', async (t) => {
  const manifests = workspaceDirs(root).map((dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest & { private?: boolean })
  const shipped = new Set(manifests.filter((m) => m.private !== true)
    .flatMap((m) => Object.keys({ ...m.dependencies, ...m.peerDependencies })))
  const devOnly = new Set(manifests.flatMap((m) => Object.keys(m.devDependencies ?? {})).filter((dep) => !shipped.has(dep) && !PUBLIC.includes(dep)))
  const workspaceOnly = manifests.filter((m) => m.private === true).map((m) => m.name)
  t.ok(devOnly.has('tap') && devOnly.has('typescript'), `the development-only names include tap and typescript (${devOnly.size} in all)`)

  const results = await Promise.all(PUBLIC.map(installAlone))
  const rows: string[] = []
  for (const result of results) {
    for (const name of workspaceOnly) t.notOk(result.installed.includes(name), `${result.name} alone does not pull the workspace-only ${name}`)
    for (const name of result.installed) {
      t.ok(!devOnly.has(name) || name === 'fastify', `${result.name} alone does not pull ${name}, which only our development uses`)
      if (name.startsWith('@zerodown/')) t.ok(PUBLIC.includes(name), `${result.name} pulls ${name}, a public package`)
    }
    const recorded = sizes.packages[result.name]
    t.ok(recorded !== undefined, `${result.name} has a row in e2e/sizes.json`)
    if (recorded === undefined) continue
    for (const key of ['packed', 'unpacked', 'install'] as const) {
      t.ok(result[key] <= recorded.budget[key], `${result.name}: ${key} ${result[key]} B is within its budget of ${recorded.budget[key]} B (e2e/sizes.json; raise it there on purpose, never by accident)`)
    }
    // The table in BENCHMARKS.md is rendered from the recorded figures: it must still say what a
    // user gets (RECORD_SIZES=1 writes them anew).
    for (const key of ['packed', 'unpacked', 'maps'] as const) {
      t.ok(result[key] >= recorded[key] * 0.8, `${result.name}: ${key} ${result[key]} B is no more than 20% under the ${recorded[key]} B recorded`)
    }
    rows.push(`${result.name} packed ${result.packed} unpacked ${result.unpacked} files ${result.files} maps ${result.maps} install ${result.install} packages ${result.installedPackages}`)
  }
  const together = { install: bytes(join(project, 'node_modules')), installedPackages: Object.keys((JSON.parse(readFileSync(join(project, 'node_modules/.package-lock.json'), 'utf8')) as { packages: object }).packages).length }
  rows.push(`all six and fastify together: install ${together.install} packages ${together.installedPackages}`)
  t.comment(rows.join('\n'))
  if (process.env.RECORD_SIZES === '1') {
    const npmVersion = (await exec('npm', ['--version'])).stdout.trim()
    sizes.measured = { date: new Date().toISOString().slice(0, 10), node: process.version, npm: npmVersion }
    sizes.together = together
    for (const result of results) {
      const { name: _name, installed: _installed, ...measured } = result
      sizes.packages[result.name] = { ...measured, budget: sizes.packages[result.name]?.budget ?? { packed: 0, unpacked: 0, install: 0 } }
    }
    writeFileSync(SIZES, JSON.stringify(sizes, null, 2) + '\n')
    t.comment(`recorded in ${SIZES.pathname}`)
  }
})

t.test('the app rolls from 1.0.0 to 2.0.0 with every request answered, on the timings the chart gave it', async (t) => {
  const { code, stdout, stderr } = await rehearse(['--json'])
  const result = JSON.parse(stdout) as Result
  t.equal(result.outcome, 'complete', 'the rollout completed (probes answered on the chart\'s port and paths)')
  t.equal(result.totals.failed, 0, `no request failed: ${JSON.stringify(result.failures)}`)
  t.ok(result.totals.requests > 100, `requests were sent (${result.totals.requests})`)
  t.equal(code, 0, `zerodown-rehearse exits 0\n${stderr}`)
  t.ok(result.afterRollout.requests > 0, 'requests were sent after the last old pod was gone')
  t.equal(result.afterRollout.otherVersion, 0, 'all of them were answered by 2.0.0 (the version the chart passed)')

  // The chart's drain (6 s) is longer than the plugin's own Kubernetes default (5 s): each old pod
  // serving that long after SIGTERM shows the plugin took the value from the environment.
  const old = result.pods.filter((pod) => pod.version === '1.0.0')
  t.equal(old.length, 2, 'both old pods were replaced')
  for (const pod of old) {
    const at = (kind: string): number | undefined => result.podEvents.find((e) => e.pod === pod.name && e.kind === kind)?.at
    const sigterm = at('sigterm')
    const exited = at('exited')
    t.ok(sigterm !== undefined && exited !== undefined, `${pod.name} got SIGTERM and exited`)
    t.ok(exited! - sigterm! >= 6000, `${pod.name} drained for ZERODOWN_DRAIN_DELAY_MS (exited ${Math.round(exited! - sigterm!)} ms after SIGTERM)`)
  }
})

t.test('the same app with one route removed fails, naming the path', async (t) => {
  const { code, stdout } = await rehearse(['--env', 'WITHOUT_CATALOG=1'])
  t.equal(code, 1, 'zerodown-rehearse exits 1')
  t.match(stdout, /FAIL/, 'the summary says it failed')
  t.match(stdout, /GET \/catalog[^\n]*404/, 'and names the request that 404ed')
})

t.test('an app that exits at once on SIGTERM fails', async (t) => {
  const { code, stdout } = await rehearse(['--json', '--env', 'EXIT_ON_SIGTERM=1'])
  const result = JSON.parse(stdout) as Result
  t.equal(code, 1, 'zerodown-rehearse exits 1')
  t.equal(result.ok, false, 'the result is not ok')
  t.ok(result.totals.failed > 0, `requests failed: ${JSON.stringify(result.failures)}`)
})
