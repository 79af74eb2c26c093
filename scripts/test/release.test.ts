// The release path, rehearsed without publishing: on a scratch copy of the repository with a sample
// changeset, `changeset version` must give the expected versions and changelog entries, and a
// dry-run pack of every public package (what `changeset publish` would upload) must hold only what a
// user needs.
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import t from 'tap'

const root = resolve(import.meta.dirname, '../..')
const changeset = join(root, 'node_modules/.bin/changeset')

interface Manifest {
  name: string
  version: string
  private?: boolean
  scripts?: Record<string, string>
  dependencies?: Record<string, string>
  devDependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
  optionalDependencies?: Record<string, string>
}
const readJson = (file: string): Manifest => JSON.parse(readFileSync(file, 'utf8'))

// Every workspace package folder, from the same globs pnpm reads.
function workspaceDirs (base: string): string[] {
  const globs = readFileSync(join(base, 'pnpm-workspace.yaml'), 'utf8').split('\n\n')[0]!
    .split('\n').filter((line) => line.startsWith('  - ')).map((line) => line.slice(4))
  return globs.flatMap((glob) => glob.endsWith('/*')
    ? readdirSync(join(base, glob.slice(0, -2))).map((name) => join(base, glob.slice(0, -2), name))
    : [join(base, glob)])
    .filter((dir) => existsSync(join(dir, 'package.json')))
}

// The working tree without installs, build caches or git; each package's dist comes along, since
// publishing packs what the build left there.
const LEAVE_OUT = new Set(['node_modules', '.git', '.turbo', '.tap', 'coverage'])
function scratchCopy (): string {
  const dir = mkdtempSync(join(tmpdir(), 'zerodown-release-'))
  cpSync(root, dir, { recursive: true, filter: (src) => !LEAVE_OUT.has(src.split('/').pop()!) && !src.endsWith('.tgz') })
  // Changesets resolves its changelog generator from the repository; pnpm pack resolves each
  // workspace: range from the package's own node_modules. Link both to the scratch copy.
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'))
  const byName = new Map(workspaceDirs(dir).map((pkgDir) => [readJson(join(pkgDir, 'package.json')).name, pkgDir]))
  for (const [, pkgDir] of byName) {
    const pkg = readJson(join(pkgDir, 'package.json'))
    const deps = { ...pkg.dependencies, ...pkg.devDependencies, ...pkg.peerDependencies }
    for (const [name, range] of Object.entries(deps)) {
      if (!range.startsWith('workspace:')) continue
      const link = join(pkgDir, 'node_modules', name)
      mkdirSync(dirname(link), { recursive: true })
      symlinkSync(byName.get(name)!, link)
    }
  }
  return dir
}

const scratch = scratchCopy()
const pending = scratchCopy()
t.teardown(() => {
  rmSync(scratch, { recursive: true, force: true })
  rmSync(pending, { recursive: true, force: true })
})

// Only the sample changeset, so the expected versions do not depend on what is pending today.
for (const file of readdirSync(join(scratch, '.changeset'))) {
  if (file.endsWith('.md') && file !== 'README.md') rmSync(join(scratch, '.changeset', file))
}
writeFileSync(join(scratch, '.changeset/release-rehearsal.md'), [
  '---',
  '"@zerodown/shutdown": minor',
  '"@zerodown/version": patch',
  '"@zerodown/deploy": patch',
  '---',
  '',
  'Release rehearsal: a sample change.',
  ''
].join('\n'))

const run = (cmd: string, args: string[], cwd: string) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })

const packages = (base = scratch) => new Map(workspaceDirs(base).map((dir) => {
  const pkg = readJson(join(dir, 'package.json'))
  return [pkg.name, { dir, pkg }]
}))
const before = packages()

t.test('changeset version: the expected versions, ranges and changelog entries', async (t) => {
  run(changeset, ['version'], scratch)
  const after = packages()
  const version = (name: string) => after.get(name)!.pkg.version
  t.equal(version('@zerodown/shutdown'), '0.2.0', 'a minor change of a 0.x package bumps the minor')
  t.equal(version('@zerodown/version'), '0.1.1', 'a patch change bumps the patch')
  t.equal(version('@zerodown/deploy'), '0.1.1')
  t.equal(version('@zerodown/rehearse'), before.get('@zerodown/rehearse')!.pkg.version, 'rehearse stays: its deploy range still holds a deploy patch')
  t.equal(version('@zerodown/probes'), '0.1.1', 'probes depends on shutdown (its lifecycle): a shutdown minor outside its ^0.1 range bumps its patch')
  t.equal(version('@zerodown/demo'), before.get('@zerodown/demo')!.pkg.version, 'the ignored demo app stays')
  t.equal(after.get('@zerodown/rehearse')!.pkg.dependencies?.['@zerodown/deploy'], 'workspace:^', 'workspace ranges stay for pnpm to resolve at pack time')

  const changelog = (name: string) => readFileSync(join(after.get(name)!.dir, 'CHANGELOG.md'), 'utf8')
  t.match(changelog('@zerodown/shutdown'), /^# @zerodown\/shutdown\n\n## 0\.2\.0\n\n### Minor Changes\n\n- Release rehearsal: a sample change\./)
  t.match(changelog('@zerodown/version'), /## 0\.1\.1\n\n### Patch Changes\n\n- Release rehearsal: a sample change\./)
  t.match(changelog('@zerodown/deploy'), /## 0\.1\.1\n\n### Patch Changes\n\n- Release rehearsal: a sample change\./)
  t.match(changelog('@zerodown/probes'), /## 0\.1\.1\n\n### Patch Changes\n\n- Updated dependencies[^\n]*\n {2}- @zerodown\/shutdown@0\.2\.0/)
  t.notOk(existsSync(join(after.get('@zerodown/rehearse')!.dir, 'CHANGELOG.md')), 'no changelog for @zerodown/rehearse, which did not change')
  t.same(readdirSync(join(scratch, '.changeset')).filter((f) => f.endsWith('.md')), ['README.md'], 'the changeset is consumed')
})

// What a user of a published package must never receive.
const FORBIDDEN: Array<[RegExp, string]> = [
  [/(^|\/)(test|tests|__tests__|fixtures|tap-snapshots|bench|coverage|\.tap)\//, 'tests, fixtures or benchmarks'],
  [/\.test\.[cm]?[jt]s$/, 'a test file'],
  [/\.tsbuildinfo$/, 'a TypeScript build cache'],
  [/(^|\/)(tsconfig[^/]*\.json|turbo\.json|\.turbo\/|node_modules\/|pnpm-lock\.yaml|eslint\.config\.js|\.changeset\/)/, 'a monorepo-only file'],
  [/^src\//, 'sources without maps that point at them']
]
const LIFECYCLE = ['preinstall', 'install', 'postinstall', 'prepare', 'preprepare', 'postprepare']

t.test('a dry-run pack of every public package lists only what a user needs', async (t) => {
  const publics = [...packages().values()].filter(({ pkg }) => !pkg.private)
  t.same(publics.map(({ pkg }) => pkg.name).sort(),
    ['@zerodown/contract', '@zerodown/deploy', '@zerodown/probes', '@zerodown/rehearse', '@zerodown/shutdown', '@zerodown/version'])
  const out = join(scratch, '.packs')
  for (const { dir, pkg } of publics) {
    await t.test(pkg.name, async (t) => {
      const listed = JSON.parse(run('pnpm', ['pack', '--dry-run', '--json'], dir)) as { files: Array<{ path: string }> }
      const files = listed.files.map((f) => f.path).sort()
      t.comment(`${pkg.name}@${pkg.version} would publish: ${files.join(' ')}`)
      for (const must of ['package.json', 'README.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts']) {
        t.ok(files.includes(must), `${must} is published`)
      }
      for (const file of files) {
        for (const [pattern, what] of FORBIDDEN) t.notMatch(file, pattern, `${file} is not ${what}`)
      }

      // The tarball itself: every source map reference resolves inside it, and the manifest a user
      // installs names real versions, not workspace or catalog ranges.
      const unpacked = join(out, pkg.name)
      mkdirSync(unpacked, { recursive: true })
      const { filename } = JSON.parse(run('pnpm', ['pack', '--pack-destination', unpacked, '--json'], dir)) as { filename: string }
      run('tar', ['-xzf', filename, '-C', unpacked], unpacked)
      const content = join(unpacked, 'package')
      for (const file of files.filter((f) => /\.(c|m)?js$|\.d\.ts$/.test(f))) {
        const text = readFileSync(join(content, file), 'utf8')
        for (const [, url] of text.matchAll(/^\/\/# sourceMappingURL=(\S+)$/gm)) {
          const map = join(dirname(join(content, file)), url!)
          t.ok(existsSync(map), `${file} points at a source map that is published (${url})`)
          if (!existsSync(map)) continue
          const { sources, sourcesContent = [] } = JSON.parse(readFileSync(map, 'utf8')) as { sources: string[], sourcesContent?: Array<string | null> }
          sources.forEach((source, i) => {
            const path = join(dirname(map), source)
            t.ok(typeof sourcesContent[i] === 'string' || existsSync(path), `${relative(content, map)} carries ${source} or points at it published`)
          })
        }
      }
      const manifest = readJson(join(content, 'package.json'))
      t.equal(manifest.version, pkg.version)
      const ranges = { ...manifest.dependencies, ...manifest.peerDependencies, ...manifest.optionalDependencies }
      for (const [name, range] of Object.entries(ranges)) {
        t.notMatch(range, /^(workspace|catalog|link|file):/, `${name}@${range} is a range npm can resolve`)
      }
      for (const script of LIFECYCLE) {
        t.notOk(manifest.scripts?.[script], `no ${script} script runs on a user's machine`)
      }
    })
  }
})

// A 0.x package that lists another as a peer (rehearse names deploy) is bumped to a new major by
// Changesets whenever that peer gets a minor: the pending changesets must not release such an accident.
t.test('the pending changesets bump no package to a major that no changeset asked for', async (t) => {
  const asked = new Map<string, string>()
  for (const file of readdirSync(join(pending, '.changeset')).filter((f) => f.endsWith('.md') && f !== 'README.md')) {
    const front = readFileSync(join(pending, '.changeset', file), 'utf8').split('---')[1] ?? ''
    for (const [, name, bump] of front.matchAll(/^"?([^":\s]+)"?:\s*(major|minor|patch)\s*$/gm)) {
      if (bump === 'major' || !asked.has(name!)) asked.set(name!, bump!)
    }
  }
  const old = packages(pending)
  run(changeset, ['version'], pending)
  for (const [name, { pkg }] of packages(pending)) {
    const was = old.get(name)!.pkg.version
    const major = (v: string) => v.split('.')[0]
    if (asked.get(name) === 'major') continue
    t.equal(major(pkg.version), major(was), `${name}: ${was} -> ${pkg.version} (asked: ${asked.get(name) ?? 'nothing'})`)
  }
})
