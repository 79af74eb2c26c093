// One set of supported Node.js lines, said the same way everywhere: scripts/node-lines.json owns it;
// engines, .ci/run, the README and the pinned releases must agree with it.
import { readFileSync, readdirSync, existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import t from 'tap'

const root = resolve(import.meta.dirname, '../..')
const config = JSON.parse(readFileSync(join(root, 'scripts/node-lines.json'), 'utf8')) as {
  engines: string, lines: Record<string, string>, suites: string[], onEveryLine?: Record<string, string[]>
}
// The development workspace and its private packages run on what CI's machine has too (Node.js 20).
const WORKSPACE_ENGINES = `^20.19.0 || ${config.engines}`

const dirs = ['packages', 'apps'].flatMap((parent) => readdirSync(join(root, parent)).map((name) => join(root, parent, name)))
  .concat(['deploy', 'benchmarks', 'e2e', 'scripts', 'compat'].map((name) => join(root, name)))
  .filter((dir) => existsSync(join(dir, 'package.json')))
const manifests = dirs.map((dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as
  { name: string, private?: boolean, engines?: { node?: string } })

t.test('each line is pinned to an exact release of that line', async (t) => {
  t.same(Object.keys(config.lines), ['22', '24', '26'])
  for (const [line, version] of Object.entries(config.lines)) t.match(version, new RegExp(`^${line}\\.\\d+\\.\\d+$`))
  const floor = config.engines.match(/^>=(\d+)\.(\d+)\.(\d+)$/)
  t.ok(floor, `engines is a floor: ${config.engines}`)
  t.equal(floor?.[1], Object.keys(config.lines)[0], 'the floor is on the oldest supported line')
})

t.test('engines: public packages promise the supported lines; the workspace says where it runs', async (t) => {
  for (const pkg of manifests) {
    t.equal(pkg.engines?.node, pkg.private ? WORKSPACE_ENGINES : config.engines, pkg.name)
  }
  const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } }
  t.equal(rootPkg.engines.node, WORKSPACE_ENGINES, 'the root package')
})

t.test('the test files a suite narrows its lines to exist, in suites that run on every line', async (t) => {
  for (const [suite, files] of Object.entries(config.onEveryLine ?? {})) {
    t.ok(files.length > 0, `${suite} names files`)
    t.ok(config.suites.includes(suite), `${suite} is a suite`)
    const dir = dirs.find((d) => (JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')) as { name: string }).name === suite)
    for (const file of files) t.ok(dir !== undefined && existsSync(join(dir, file)), `${suite}: ${file}`)
  }
})

t.test('the suites run on every line are workspace packages', async (t) => {
  const names = new Set(manifests.map((pkg) => pkg.name))
  for (const suite of config.suites) t.ok(names.has(suite), suite)
})

t.test('the README names every pinned release and how to run them locally', async (t) => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  for (const version of Object.values(config.lines)) t.ok(readme.includes(version), `README names ${version}`)
  t.match(readme, /scripts\/test-node-lines\.sh/)
  t.match(readFileSync(join(root, '.ci/run'), 'utf8'), /scripts\/test-node-lines\.sh/, '.ci/run runs the lines')
})
