import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { test } from 'tap'

// `pnpm bench:header` still runs and reports its three figures; how many nanoseconds is the
// benchmark's business, never a test's.
const bench = fileURLToPath(new URL('../bench/header-line.js', import.meta.url))
const run = (env: Record<string, string>) =>
  spawnSync(process.execPath, [bench], { env: { ...process.env, ...env }, encoding: 'utf8' })

test('times writeHead with and without the version header and prints the difference', async (t) => {
  const result = run({ BLOCKS: '2', ITERATIONS: '1000' })
  t.equal(result.status, 0, result.stderr)
  t.match(result.stdout, /2 blocks of 1000 responses each/)
  t.match(result.stdout, /without x-app-version: \d+ ns per response/)
  t.match(result.stdout, /with x-app-version: +\d+ ns per response/)
  t.match(result.stdout, /one more header line: -?\d+ ns per response/)
})

test('BLOCKS or ITERATIONS that is not a whole number >= 1 is refused by name', async (t) => {
  for (const [name, value] of [['BLOCKS', '0'], ['ITERATIONS', 'many']] as const) {
    const result = run({ [name]: value })
    t.equal(result.status, 1, `${name}=${value}`)
    t.match(result.stderr, `${name} must be a whole number >= 1, got "${value}"`)
  }
})
