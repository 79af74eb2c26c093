#!/usr/bin/env node
// zerodown-cluster up     start a cluster, print how to reach it, keep it up until Ctrl+C (then down)
// zerodown-cluster down   clean up every cluster whose owner died (or, with --all, every cluster)
// zerodown-cluster fidelity [ROW ...]   run the fidelity table's rows, write its results and FIDELITY.md
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Cluster, cleanUp } from './cluster.js'
import { buildDemoImages, REPOSITORY_ROOT } from './fidelity/images.js'
import { describeFailures } from './fidelity/side.js'
import { baseValues, fidelityMarkdown, runTable } from './fidelity/table.js'
import { staleRuns } from './stale.js'

const USAGE = 'usage: zerodown-cluster up [--image REF ...] | down [--all] | fidelity [ROW ...]'
export const RESULTS_FILE = join(REPOSITORY_ROOT, 'cluster', 'fidelity-results.json')
export const FIDELITY_FILE = join(REPOSITORY_ROOT, 'FIDELITY.md')

async function fidelity (only: string[]): Promise<void> {
  console.error('zerodown-cluster: building the demo images')
  const images = await buildDemoImages()
  const cluster = await Cluster.up({ images, onStep: (step) => console.error(`zerodown-cluster: ${step}`) })
  try {
    const results = await runTable(cluster, {
      base: baseValues(REPOSITORY_ROOT),
      ...(only.length > 0 && { only }),
      onSide: (row, side, r) => console.error(`zerodown-cluster: ${row} ${side}: ${r.verdict.toUpperCase()}, ${describeFailures(r)} of ${r.requests} failed`)
    })
    if (only.length > 0) {
      console.log(JSON.stringify(results, null, 2))
      return
    }
    await writeFile(RESULTS_FILE, JSON.stringify(results, null, 2) + '\n')
    await writeFile(FIDELITY_FILE, fidelityMarkdown(results))
    console.error(`zerodown-cluster: wrote ${RESULTS_FILE} and ${FIDELITY_FILE}`)
    if (results.rows.some((row) => !row.agree)) process.exitCode = 1
  } finally {
    await cluster.down()
  }
}

async function up (images: string[]): Promise<void> {
  const started = Date.now()
  const cluster = await Cluster.up({ images, onStep: (step) => console.error(`zerodown-cluster: ${step}`) })
  console.error(`zerodown-cluster: up in ${((Date.now() - started) / 1000).toFixed(1)} s; Ctrl+C takes it down`)
  console.log(`kubectl: ${cluster.wrap([`${cluster.bin}/kubectl`, `--kubeconfig=${cluster.kubeconfig}`]).join(' ')}`)
  console.log(`folder: ${cluster.dir}`)
  // Signal listeners alone do not keep Node.js running: a timer does, until a signal arrives.
  const alive = setInterval(() => {}, 60_000)
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
  clearInterval(alive)
  await cluster.down()
  console.error('zerodown-cluster: down')
}

async function down (all: boolean): Promise<void> {
  const records = await staleRuns(all)
  for (const record of records) await cleanUp(record)
  console.error(`zerodown-cluster: cleaned up ${records.length} cluster${records.length === 1 ? '' : 's'}`)
}

const [command, ...rest] = process.argv.slice(2)
try {
  if (command === 'up') {
    const images: string[] = []
    for (let i = 0; i < rest.length; i += 2) {
      if (rest[i] !== '--image' || rest[i + 1] === undefined) throw new Error(`unknown argument ${rest[i]}\n${USAGE}`)
      images.push(rest[i + 1]!)
    }
    await up(images)
  } else if (command === 'fidelity') {
    await fidelity(rest)
  } else if (command === 'down' && (rest.length === 0 || (rest.length === 1 && rest[0] === '--all'))) {
    await down(rest[0] === '--all')
  } else {
    console.error(command === undefined || command === '--help' ? USAGE : `zerodown-cluster: unknown command ${[command, ...rest].join(' ')}\n${USAGE}`)
    process.exitCode = command === '--help' ? 0 : 2
  }
} catch (err) {
  console.error(`zerodown-cluster: ${(err as Error).message}`)
  process.exitCode = 1
}
