// How long an idle server takes from SIGTERM to exit, beyond its drainDelay: the plugin's own cost.
//   pnpm --filter @zerodown/shutdown bench        (RUNS=15 DRAIN_DELAY=1000 to vary)
import { median, startServerProcess } from '@zerodown/testkit'

const server = new URL('./server.js', import.meta.url).pathname
const drainDelay = Number(process.env.DRAIN_DELAY ?? 500)
const runs = Number(process.env.RUNS ?? 9)
const overheads = []
for (let i = 0; i < runs; i++) {
  const child = await startServerProcess({ args: [server], env: { WITH_PLUGIN: '1', DRAIN_DELAY: String(drainDelay) } })
  // Let start-up settle so that the signal meets an idle server.
  await new Promise((resolve) => setTimeout(resolve, 200))
  const signalledAt = performance.now()
  child.signal('SIGTERM')
  const exit = await child.exited
  if (exit.code !== 0) throw new Error(`run ${i}: exit code ${exit.code ?? exit.signal}\n${child.lines.join('\n')}`)
  overheads.push(exit.at - signalledAt - drainDelay)
}
console.log(`SIGTERM to exit minus drainDelay (${drainDelay} ms), ${runs} runs: ${overheads.map((ms) => ms.toFixed(1)).join(', ')} ms`)
console.log(`median: ${median(overheads).toFixed(1)} ms (target < 50 ms)`)
