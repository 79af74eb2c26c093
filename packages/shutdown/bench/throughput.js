// Hello-world throughput with and without @zerodown/shutdown, alternating runs; prints the ratio.
//   pnpm --filter @zerodown/shutdown bench        (PAIRS=5 DURATION=10 for steadier figures)
import { compareThroughput } from '@zerodown/testkit'

const server = new URL('./server.js', import.meta.url).pathname
const result = await compareThroughput({
  variants: [
    { name: 'fastify', args: [server] },
    { name: 'fastify + @zerodown/shutdown', args: [server], env: { WITH_PLUGIN: '1' } }
  ],
  pairs: Number(process.env.PAIRS ?? 3),
  duration: Number(process.env.DURATION ?? 5)
})
for (const run of result.runs) console.log(`${run.variant.padEnd(30)} ${Math.round(run.requestsPerSecond)} req/s`)
console.log(`ratio per pair: ${result.ratios.map((r) => r.toFixed(3)).join(', ')}`)
console.log(`median ratio (with plugin / bare): ${result.medianRatio.toFixed(3)} (target >= 0.98)`)
