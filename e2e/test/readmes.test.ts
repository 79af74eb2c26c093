// Every README a public package publishes, as its registry page shows it: markdownlint with the
// repository's rules, links that land somewhere for a reader of that page, and markdown-it's
// rendering with no code block swallowing a heading or a table. published.test.ts checks that the
// registry shows exactly these files.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import t from 'tap'
import { checkLinks, lintMarkdown, root, swallowedByCode } from '../lib/readme.js'
import { workspaceDirs } from '../lib/release.js'

interface Manifest { name: string, private?: boolean }
const publics = workspaceDirs(root)
  .map((dir) => ({ dir, pkg: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest }))
  .filter(({ pkg }) => pkg.private !== true)

const publishedFiles = (dir: string): string[] => {
  const out = execFileSync('pnpm', ['pack', '--dry-run', '--json'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  return (JSON.parse(out) as { files: Array<{ path: string }> }).files.map((f) => f.path)
}

t.ok(publics.length >= 6, `the public packages are found (${publics.map(({ pkg }) => pkg.name).join(', ')})`)

for (const { dir, pkg } of publics) {
  t.test(pkg.name, async (t) => {
    const files = publishedFiles(dir)
    t.ok(files.includes('README.md'), 'the README is published')
    const text = readFileSync(join(dir, 'README.md'), 'utf8')
    const name = `${relative(root, dir)}/README.md`
    const lint = await lintMarkdown(name, text)
    t.same(lint, [], `markdownlint finds nothing (.markdownlint.jsonc)${lint.length > 0 ? `:\n${lint.join('\n')}` : ''}`)
    const links = checkLinks(text, { directory: relative(root, dir) })
    t.same(links, [], `every link lands somewhere from the registry page${links.length > 0 ? `:\n${links.join('\n')}` : ''}`)
    const swallowed = swallowedByCode(text)
    t.same(swallowed, [], `no code block swallows what follows it${swallowed.length > 0 ? `:\n${swallowed.join('\n')}` : ''}`)
  })
}

// The checks fail on what they exist to catch. This is the fence the deploy README had (issue 35):
// a fence with text after it does not close a code block, so the table and the heading after it became code.
const BROKEN_FENCE = [
  '# @zerodown/deploy', '', '## Lint', '', '```console', '$ zerodown-deploy lint', 'ok', '``` `render` runs the same checks.', '',
  '## What lint checks', '', '| rule | value |', '|---|---|', '| `T > d` | timeout |', '', '## Applying the output', '',
  '```sh', 'kubectl apply -f -', '```', ''
].join('\n')

t.test('a fence closed with text swallows the heading and table after it, and each check says so', async (t) => {
  const swallowed = swallowedByCode(BROKEN_FENCE)
  t.match(swallowed.join('\n'), /swallows the heading "## What lint checks"/)
  t.match(swallowed.join('\n'), /swallows a table \("\| rule \| value \|"/)
  const unclosed = '# x\n\n```js\nconst a = 1\n\n## Next\n'
  t.match(swallowedByCode(unclosed).join('\n'), /never closed/)
  t.same(swallowedByCode('# x\n\n```sh\n# a shell comment\nls\n```\n\n## Next\n'), [], 'a shell comment is not a heading')
})

t.test('links a registry page cannot follow are named, with where to point them', async (t) => {
  const pkg = { directory: 'deploy' }
  const found = checkLinks([
    '# deploy', '', '## Values', '',
    '[values](values.yaml) [prod](https://github.com/zerodown/zerodown/blob/main/deploy/examples/production.yaml)',
    '', '[gone](https://github.com/zerodown/zerodown/blob/main/deploy/examples/nowhere.yaml)',
    '', '[src](https://github.com/zerodown/zerodown/blob/main/deploy/src/cli.ts) [anchor](#values) [lost](#no-such-heading)',
    '', '[elsewhere](https://kubernetes.io/docs/)'
  ].join('\n'), pkg)
  t.same(found, [
    'line 5: the relative link values.yaml resolves against the registry page, where no file is; link to https://github.com/zerodown/zerodown/blob/main/deploy/values.yaml',
    'line 7: https://github.com/zerodown/zerodown/blob/main/deploy/examples/nowhere.yaml names deploy/examples/nowhere.yaml, which is not in the repository',
    'line 9: #no-such-heading names no heading of this README'
  ])
})

t.test('markdownlint reports a fence without a language, naming the line', async (t) => {
  const found = await lintMarkdown('sample.md', '# Sample\n\n```\nplain\n```\n')
  t.match(found.join('\n'), /sample\.md:3 MD040\/fenced-code-language/)
})

// BENCHMARKS.md part 7 is rendered from e2e/sizes.json by the benchmarks report: it must show the
// figures recorded there (re-render it after recording: see that part).
t.test('BENCHMARKS.md shows the package sizes recorded in e2e/sizes.json', async (t) => {
  const sizes = JSON.parse(readFileSync(join(root, 'e2e/sizes.json'), 'utf8')) as { packages: Record<string, { packed: number, unpacked: number }> }
  const benchmarks = readFileSync(join(root, 'BENCHMARKS.md'), 'utf8')
  const kB = (n: number): string => `${(n / 1000).toFixed(1)} kB`
  for (const [name, p] of Object.entries(sizes.packages)) {
    t.ok(benchmarks.includes(`| ${name} | ${kB(p.packed)} | ${kB(p.unpacked)} |`), `${name}: ${kB(p.packed)} packed, ${kB(p.unpacked)} unpacked`)
  }
  t.same(Object.keys(sizes.packages).sort(), publics.map(({ pkg }) => pkg.name).sort(), 'every public package has a row')
})
