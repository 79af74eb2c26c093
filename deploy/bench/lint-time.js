// Lint time by values-file size: the same file shape with 1k, 10k and 100k keys, each linted by the
// built CLI, as a user runs it. The time per key shows whether lint stays linear in its input.
// It writes bench/lint-time.json, which BENCHMARKS.md renders (part 8).
//   pnpm --filter @zerodown/deploy bench        (RUNS=5 for more runs per size)
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'

const cli = new URL('../dist/cli.js', import.meta.url).pathname
const runs = Number(process.env.RUNS ?? 3)
const sizes = [1_000, 10_000, 100_000]
// Two shapes: keys lint accepts (config entries, the whole render), and keys it refuses (unknown top-level keys).
const shapes = {
  'config entries': (n) => 'config:\n' + Array.from({ length: n }, (_, i) => `  KEY_${i}: value-${i}`).join('\n') + '\n',
  'unknown keys': (n) => Array.from({ length: n }, (_, i) => `key${i}: ${i}`).join('\n') + '\n'
}

const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]

function lintMs (file) {
  const times = []
  for (let run = 0; run < runs; run++) {
    const started = process.hrtime.bigint()
    const result = spawnSync(process.execPath, [cli, 'lint', '-f', file], { encoding: 'utf8', maxBuffer: 1 << 30 })
    times.push(Number(process.hrtime.bigint() - started) / 1e6)
    if (result.status !== 0 && result.status !== 1) throw new Error(`lint exited ${result.status}: ${result.stderr.slice(0, 400)}`)
  }
  return median(times)
}

const dir = mkdtempSync(join(tmpdir(), 'zerodown-lint-bench-'))
const rows = []
try {
  const empty = join(dir, 'empty.yaml')
  writeFileSync(empty, '')
  const startup = lintMs(empty)
  console.log(`lint time by values-file size (median of ${runs} runs; start-up with an empty file: ${startup.toFixed(0)} ms)`)
  console.log('| shape | keys | file | lint | per key, start-up taken out |')
  console.log('|---|---:|---:|---:|---:|')
  for (const [shape, make] of Object.entries(shapes)) {
    for (const n of sizes) {
      const file = join(dir, `${n}.yaml`)
      writeFileSync(file, make(n))
      const ms = lintMs(file)
      const kb = statSync(file).size / 1024
      rows.push({ shape, keys: n, bytes: statSync(file).size, ms: Math.round(ms), usPerKey: Number(((ms - startup) * 1000 / n).toFixed(1)) })
      console.log(`| ${shape} | ${n.toLocaleString('en')} | ${kb.toFixed(0)} KiB | ${ms.toFixed(0)} ms | ${((ms - startup) * 1000 / n).toFixed(1)} µs |`)
    }
  }
  const measured = { date: new Date().toISOString().slice(0, 10), node: process.version, runs, loadAverage: Number(loadavg()[0].toFixed(1)) }
  writeFileSync(new URL('./lint-time.json', import.meta.url), JSON.stringify({ measured, startupMs: Math.round(startup), rows }, null, 2) + '\n')
} finally {
  rmSync(dir, { recursive: true, force: true })
}
