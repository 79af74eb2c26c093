// The GitHub Actions workflows: valid by the schema (action-validator, offline), and holding to the
// rules a reviewer would check by hand: least privilege, actions pinned by commit, the README's test
// command on every supported Node.js line, provenance on publish.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import t from 'tap'
import { parse } from 'yaml'

const root = resolve(import.meta.dirname, '../..')
const workflows = join(root, '.github/workflows')
const validator = join(import.meta.dirname, '../node_modules/.bin/action-validator')
const validate = (file: string) => spawnSync(validator, [file], { encoding: 'utf8' })
const read = (name: string) => readFileSync(join(workflows, name), 'utf8')
const nodeLines = JSON.parse(readFileSync(join(root, 'scripts/node-lines.json'), 'utf8')) as { lines: Record<string, string> }

interface Step { uses?: string, run?: string, with?: Record<string, unknown>, env?: Record<string, string> }
interface Job { permissions?: Record<string, string>, strategy?: { matrix: { node: string[] } }, steps: Step[] }
interface Workflow { permissions?: Record<string, string>, jobs: Record<string, Job> }

t.same(readdirSync(workflows).sort(), ['ci.yml', 'release.yml'])

t.test('every workflow passes action-validator', async (t) => {
  for (const name of readdirSync(workflows)) {
    const result = validate(join(workflows, name))
    t.equal(result.status, 0, `${name}: ${result.stdout}${result.stderr}`)
  }
})

t.test('a broken copy of a workflow fails validation, naming what is wrong', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'zerodown-workflow-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const cases: Array<[string, string, string, RegExp]> = [
    ['ci.yml', 'runs-on: ubuntu-latest', 'runs-onn: ubuntu-latest', /runs-onn/],
    ['release.yml', 'id-token: write', 'id-token: sign', /id-token|permissions/],
    ['ci.yml', '  pull_request:\n', '  pull_requests:\n', /pull_requests|on/]
  ]
  for (const [name, from, to, named] of cases) {
    const source = read(name)
    t.ok(source.includes(from), `${name} holds "${from.trim()}"`)
    const broken = join(dir, name)
    writeFileSync(broken, source.replace(from, to))
    const result = validate(broken)
    t.not(result.status, 0, `${name} with "${to.trim()}" is refused`)
    t.match(result.stdout + result.stderr, named, 'the output names the fault')
  }
})

t.test('actions are pinned by full commit SHA with the version beside it', async (t) => {
  for (const name of readdirSync(workflows)) {
    const uses = read(name).split('\n').filter((line) => /^\s*-?\s*uses:/.test(line))
    t.ok(uses.length > 0, `${name} uses actions`)
    for (const line of uses) t.match(line, /uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/, `${name}: ${line.trim()}`)
  }
})

t.test('ci.yml: read-only, the README\'s test command on every supported Node.js line', async (t) => {
  const ci = parse(read('ci.yml')) as Workflow
  t.same(ci.permissions, { contents: 'read' })
  const job = ci.jobs.test!
  t.same(job.strategy?.matrix.node, Object.values(nodeLines.lines), 'the matrix is the pinned releases of scripts/node-lines.json')
  const runs = job.steps.map((s) => s.run).filter(Boolean)
  t.ok(runs.includes('pnpm install --frozen-lockfile'))
  const test = runs.indexOf('pnpm test')
  t.ok(test > runs.indexOf('pnpm install --frozen-lockfile'), 'the test command runs after the install')
  t.same(runs.slice(test + 1), ['pnpm --filter @zerodown/benchmarks bench -- --budget'],
    'then only the instruction budget, alone on the machine')
  t.match(readFileSync(join(root, 'README.md'), 'utf8'), /^pnpm test {2,}#/m, 'which is the README\'s')
  t.ok(job.steps.some((s) => s.uses?.startsWith('actions/cache@') && String(s.with?.key).includes("hashFiles('pnpm-lock.yaml')")), 'the pnpm store is cached by lockfile')
})

t.test('release.yml: nothing by default, provenance for the one job that publishes', async (t) => {
  const release = parse(read('release.yml')) as Workflow
  t.same(release.permissions, {}, 'no permission at the workflow level')
  const job = release.jobs.release!
  t.same(job.permissions, { contents: 'write', 'pull-requests': 'write', 'id-token': 'write' })
  const changesets = job.steps.find((s) => s.uses?.startsWith('changesets/action@'))!
  t.equal(changesets.with?.['publish-script'], 'pnpm release')
  t.equal(changesets.env?.NPM_CONFIG_PROVENANCE, 'true')
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  t.match(pkg.scripts.release, /changeset publish$/, 'pnpm release ends with changeset publish')
})
