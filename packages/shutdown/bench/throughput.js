// Hello-world throughput with and without @zerodown/shutdown, alternating runs; prints the ratio.
//   pnpm --filter @zerodown/shutdown bench        (PAIRS=5 DURATION=10 for steadier figures)
import { benchPluginThroughput } from '@zerodown/testkit'

await benchPluginThroughput('@zerodown/shutdown', new URL('./server.js', import.meta.url).pathname)
