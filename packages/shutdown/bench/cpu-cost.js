// Server CPU time per hello-world request with and without @zerodown/shutdown, alternating runs.
// Throughput on a shared machine swings with the neighbours' load; the CPU time the server process
// itself spends per request does not, so this is the steadier figure of the plugin's cost.
//   pnpm --filter @zerodown/shutdown bench        (PAIRS=9 AMOUNT=100000 for steadier figures)
import autocannon from 'autocannon'
import { median, startServerProcess } from '@zerodown/testkit'

const server = new URL('./server.js', import.meta.url).pathname
const pairs = Number(process.env.PAIRS ?? 5)
const amount = Number(process.env.AMOUNT ?? 40_000)

async function cpuPerRequest (withPlugin) {
  const child = await startServerProcess({ args: [server], env: { WITH_PLUGIN: withPlugin ? '1' : '0' } })
  try {
    const cpu = async () => {
      const { user, system } = await (await fetch(`${child.origin}/cpu`)).json()
      return user + system
    }
    // Warm up the JIT before measuring.
    await autocannon({ url: child.origin, connections: 10, amount: 5000 })
    const before = await cpu()
    const result = await autocannon({ url: child.origin, connections: 10, amount })
    const after = await cpu()
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`${result.non2xx} non-2xx, ${result.errors} errors`)
    return (after - before) / amount
  } finally {
    child.signal('SIGKILL')
    await child.exited
  }
}

const ratios = []
const bares = []
const withPlugins = []
for (let pair = 0; pair < pairs; pair++) {
  // Swap who goes first each pair, so warm-up and drift do not favour one side.
  const [first, second] = pair % 2 === 0 ? [false, true] : [true, false]
  const a = await cpuPerRequest(first)
  const b = await cpuPerRequest(second)
  const [bare, withPlugin] = first ? [b, a] : [a, b]
  bares.push(bare)
  withPlugins.push(withPlugin)
  ratios.push(bare / withPlugin)
  console.log(`pair ${pair + 1}: fastify ${bare.toFixed(1)} µs/request, + @zerodown/shutdown ${withPlugin.toFixed(1)} µs/request`)
}
console.log(`CPU-based throughput ratio per pair (bare CPU / plugin CPU): ${ratios.map((r) => r.toFixed(3)).join(', ')}`)
console.log(`median: ${median(ratios).toFixed(3)} (target >= 0.98)`)
// Neighbours only ever add CPU time, so the cheapest run of each side is its truest cost.
console.log(`best run each: fastify ${Math.min(...bares).toFixed(1)} µs, + plugin ${Math.min(...withPlugins).toFixed(1)} µs, ratio ${(Math.min(...bares) / Math.min(...withPlugins)).toFixed(3)}`)
