import { test } from 'tap'
import { getCpuAffinity, parseCpuList } from '../src/cpu-affinity.js'
import { compareThroughput, compareThroughputInterleaved, type Variant } from '../src/throughput.js'

const hello = new URL('./fixtures/hello.js', import.meta.url).pathname

test('parseCpuList reads Linux CPU lists and rejects anything else', async (t) => {
  t.same(parseCpuList('0'), [0])
  t.same(parseCpuList('0,1'), [0, 1])
  t.same(parseCpuList('0-3,6'), [0, 1, 2, 3, 6])
  t.same(parseCpuList(' 2-3\n'), [2, 3])
  t.throws(() => parseCpuList('mask 3'), /not a CPU list: "mask 3"/)
})

test('compareThroughput: fresh pairs measured side by side, the CPU affinity given back', async (t) => {
  const before = getCpuAffinity(process.pid)
  const result = await compareThroughput({
    variants: [{ name: 'small', args: [hello] }, { name: 'large', args: [hello], env: { PAD_BYTES: '200000' } }],
    pairs: 2,
    duration: 1,
    warmup: 0,
    connections: 4
  })
  t.same(result.runs.map((r) => [r.pair, r.variant]), [[0, 'small'], [0, 'large'], [1, 'large'], [1, 'small']],
    'who starts first swaps every pair')
  t.ok(result.runs.every((r) => r.requests > 0 && r.requestsPerSecond === r.requests), 'every server served requests')
  t.equal(result.ratios.length, 2)
  // 200 kB per response against 17 bytes: the large server serves far fewer, in every pair.
  t.ok(result.ratios.every((r) => r < 0.8), `large/small well below 1: ${result.ratios.join(', ')}`)
  t.equal(result.medianRatio, (result.ratios[0]! + result.ratios[1]!) / 2)
  t.equal(result.pinned, before !== undefined && before.length >= 2, 'pinned wherever taskset and two CPUs are')
  t.same(getCpuAffinity(process.pid), before, 'the harness runs on its CPUs again afterwards')
})

test('compareThroughput: servers get --expose-gc to settle their heap before the load, unless settleHeap is false', async (t) => {
  const variants = (expectGc: string): [Variant, Variant] =>
    [{ name: 'a', args: [hello], env: { EXPECT_GC: expectGc } }, { name: 'b', args: [hello], env: { EXPECT_GC: expectGc } }]
  const short = { pairs: 1, duration: 1, warmup: 0, connections: 2 }
  const settled = await compareThroughput({ variants: variants('1'), ...short })
  t.ok(settled.runs.every((r) => r.requests > 0), 'by default both servers started with globalThis.gc')
  const unsettled = await compareThroughput({ variants: variants('0'), ...short, settleHeap: false })
  t.ok(unsettled.runs.every((r) => r.requests > 0), 'settleHeap: false starts them without it')
  await t.rejects(compareThroughput({ variants: variants('1'), ...short, settleHeap: false }), /expected globalThis.gc exposed/,
    'the fixture does refuse to start without it')
})

test('compareThroughputInterleaved: the first pair of every comparison, then the second of every one', async (t) => {
  const small: Variant = { name: 'small', args: [hello] }
  const large: Variant = { name: 'large', args: [hello], env: { PAD_BYTES: '200000' } }
  const seen: Array<[number, number]> = []
  const [sameSize, larger] = await compareThroughputInterleaved({
    comparisons: [[small, { ...small, name: 'small again' }], [small, large]],
    pairs: 2,
    duration: 1,
    warmup: 0,
    connections: 4,
    onPair: (comparison, pair, ratio) => {
      t.ok(ratio > 0, `comparison ${comparison}, pair ${pair}: a ratio`)
      seen.push([comparison, pair])
    }
  })
  t.same(seen, [[0, 0], [1, 0], [0, 1], [1, 1]], 'interleaved pair by pair')
  t.same([sameSize!.reference, sameSize!.candidate, larger!.reference, larger!.candidate], ['small', 'small again', 'small', 'large'])
  t.same(larger!.runs.map((r) => [r.pair, r.variant]), [[0, 'small'], [0, 'large'], [1, 'large'], [1, 'small']], 'who starts first still swaps every pair')
  t.ok(larger!.ratios.every((r) => r < 0.8), `large/small well below 1: ${larger!.ratios.join(', ')}`)
  t.equal(sameSize!.ratios.length, 2)
  t.equal(larger!.medianRatio, (larger!.ratios[0]! + larger!.ratios[1]!) / 2)
})
