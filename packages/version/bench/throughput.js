// Hello-world throughput with and without @zerodown/version, alternating runs; prints the ratio.
//   pnpm --filter @zerodown/version bench        (PAIRS=5 DURATION=10 for steadier figures)
import { benchPluginThroughput } from '@zerodown/testkit'

await benchPluginThroughput('@zerodown/version', new URL('./server.js', import.meta.url).pathname)
