// Hello-world throughput with and without @zerodown/shutdown, both servers up at once and loaded in
// turn in short batches. On a shared machine the neighbours' load swings over seconds; batches a
// fraction of a second long, alternated many times, see the same swings on both sides.
//   pnpm --filter @zerodown/shutdown bench        (BATCHES=60 AMOUNT=3000 for steadier figures)
// (autocannon rounds short runs up to whole seconds, so the batches use undici directly.)
import { Pool } from 'undici'
import { median, startServerProcess } from '@zerodown/testkit'

const server = new URL('./server.js', import.meta.url).pathname
const batches = Number(process.env.BATCHES ?? 40)
const amount = Number(process.env.AMOUNT ?? 2000)

const bare = await startServerProcess({ args: [server], env: { WITH_PLUGIN: '0' } })
const plugin = await startServerProcess({ args: [server], env: { WITH_PLUGIN: '1' } })
try {
  // Requests per second for `amount` requests over 10 keep-alive connections.
  const pools = new Map([bare, plugin].map((child) => [child, new Pool(child.origin, { connections: 10 })]))
  const rate = async (child) => {
    const pool = pools.get(child)
    let left = amount
    const worker = async () => {
      while (left-- > 0) {
        const res = await pool.request({ path: '/', method: 'GET' })
        await res.body.dump()
        if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`)
      }
    }
    const start = performance.now()
    await Promise.all(Array.from({ length: 10 }, worker))
    return amount / ((performance.now() - start) / 1000)
  }
  // Warm up both JITs.
  await rate(bare)
  await rate(plugin)
  const ratios = []
  for (let i = 0; i < batches; i++) {
    // Swap who goes first each batch, so drift does not favour one side.
    const [a, b] = i % 2 === 0 ? [bare, plugin] : [plugin, bare]
    const first = await rate(a)
    const second = await rate(b)
    ratios.push(a === bare ? second / first : first / second)
  }
  const sorted = [...ratios].sort((x, y) => x - y)
  console.log(`interleaved batches of ${amount} requests, ${batches} pairs: ratio quartiles ` +
    `${sorted[Math.floor(batches / 4)].toFixed(3)} / ${median(ratios).toFixed(3)} / ${sorted[Math.floor(3 * batches / 4)].toFixed(3)}`)
  console.log(`median ratio (with plugin / bare): ${median(ratios).toFixed(3)} (target >= 0.99)`)
  await Promise.all([...pools.values()].map((pool) => pool.close()))
} finally {
  bare.signal('SIGKILL')
  plugin.signal('SIGKILL')
  await Promise.all([bare.exited, plugin.exited])
}
