// --output-dir against a folder someone else filled (a checkout, a shared CI workspace): a link
// planted at any path it touches is refused, and nothing outside the folder ever changes.
import { spawnSync } from 'node:child_process'
import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test } from 'tap'

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url))
const env = { ...process.env, NODE_OPTIONS: '' }
const render = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [cli, 'render', 'shop', '--output-dir', 'od', ...args], { cwd, encoding: 'utf8', env })

/** Every entry under `dir`: a file's content, a link's target, a folder's entries. */
function tree (dir: string): Record<string, string> {
  const entries: Record<string, string> = {}
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    const stats = lstatSync(path)
    if (stats.isSymbolicLink()) entries[name] = `-> ${readlinkSync(path)}`
    else if (stats.isDirectory()) for (const [inner, value] of Object.entries(tree(path))) entries[`${name}/${inner}`] = value
    else entries[name] = readFileSync(path, 'utf8')
  }
  return entries
}

// Each place a link can be planted: a target, a temporary name, the list of files, the folder itself.
const planted: Array<[string, (cwd: string) => void, RegExp]> = [
  ['a link at a temporary name', (cwd) => { mkdirSync(join(cwd, 'od')); symlinkSync('../victim.txt', join(cwd, 'od/.deployment.yaml.zerodown-tmp')) }, /od\/\.deployment\.yaml\.zerodown-tmp: it is a symbolic link/],
  ['a dangling link at a temporary name', (cwd) => { mkdirSync(join(cwd, 'od')); symlinkSync('../created.txt', join(cwd, 'od/.service.yaml.zerodown-tmp')) }, /od\/\.service\.yaml\.zerodown-tmp: it is a symbolic link/],
  ['a link at a target', (cwd) => { mkdirSync(join(cwd, 'od')); symlinkSync('../victim.txt', join(cwd, 'od/deployment.yaml')) }, /od\/deployment\.yaml: it is a symbolic link/],
  ['a link at a target the list of files names', (cwd) => {
    mkdirSync(join(cwd, 'od'))
    writeFileSync(join(cwd, 'od/.zerodown-deploy-files'), 'deployment.yaml\n')
    symlinkSync('../victim.txt', join(cwd, 'od/deployment.yaml'))
  }, /od\/deployment\.yaml: it is a symbolic link/],
  ['a link as the list of files', (cwd) => { mkdirSync(join(cwd, 'od')); symlinkSync('/dev/zero', join(cwd, 'od/.zerodown-deploy-files')) }, /od\/\.zerodown-deploy-files: it is a symbolic link/],
  ['a link at the list\'s temporary name', (cwd) => { mkdirSync(join(cwd, 'od')); symlinkSync('../created.txt', join(cwd, 'od/..zerodown-deploy-files.zerodown-tmp')) }, /it is a symbolic link/],
  ['a link as the folder', (cwd) => { mkdirSync(join(cwd, 'elsewhere')); symlinkSync('elsewhere', join(cwd, 'od')) }, /Cannot write od: it is a symbolic link, which zerodown-deploy never follows/]
]

for (const [what, plant, message] of planted) {
  test(`${what} is refused, naming it, and nothing changes anywhere`, async (t) => {
    const cwd = t.testdir({ 'victim.txt': 'precious\n' })
    plant(cwd)
    const before = tree(cwd)
    const result = render(cwd)
    t.equal(result.status, 2, result.stderr)
    t.match(result.stderr, message)
    t.notMatch(result.stderr, /Usage:/, 'a file problem, not a usage problem')
    t.same(tree(cwd), before, 'the tree, links and the file outside included, is as it was')
  })
}

test('a folder under a file cannot be looked at, and says why', async (t) => {
  const cwd = t.testdir({ plain: 'a file\n' })
  const result = spawnSync(process.execPath, [cli, 'render', '--output-dir', 'plain/od'], { cwd, encoding: 'utf8', env })
  t.equal(result.status, 2)
  t.match(result.stderr, /^zerodown-deploy: Cannot write plain\/od: ENOTDIR/)
})

test('a file where the folder should be is refused', async (t) => {
  const cwd = t.testdir({ od: 'a file\n' })
  const result = render(cwd)
  t.equal(result.status, 2)
  t.match(result.stderr, /Cannot write od: it is not a folder/)
})

test('a temporary file left by a render that was cut short is replaced, and the render succeeds', async (t) => {
  const cwd = t.testdir({ od: { '.service.yaml.zerodown-tmp': 'half a Service' } })
  const result = render(cwd)
  t.equal(result.status, 0, result.stderr)
  t.notOk(readdirSync(join(cwd, 'od')).some((name) => name.endsWith('.zerodown-tmp')), 'no temporary file is left')
  t.match(readFileSync(join(cwd, 'od/service.yaml'), 'utf8'), /kind: Service/)
})
