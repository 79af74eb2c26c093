import autocannon from 'autocannon'
import { getCpuAffinity, setCpuAffinity } from './cpu-affinity.js'
import { startServerProcess, type ServerProcess } from './server-process.js'

export interface Variant {
  name: string
  /** Arguments after `node` that start a server which logs Fastify's "listening at" line. */
  args: string[]
  env?: Record<string, string>
}

export interface ThroughputOptions {
  /** The reference (first) and the candidate (second); the ratio is candidate / reference. */
  variants: [Variant, Variant]
  /** Pairs of fresh server processes, each pair measured side by side. Default 5. */
  pairs?: number
  /** Seconds of the measured load on each pair. Default 5. */
  duration?: number
  /**
   * Seconds of load before the measured run, so the JIT has settled. Default 6. Why: a fresh
   * hello-world Fastify server under this load spends about 12% of its CPU in threads other than
   * the main one (V8 compiling) in its first 2 seconds and about 3% in the next 2, and serves its
   * steady rate only from about 4 s on. A measurement started after 2 s still caught that start-up:
   * the three plugins read 0.981 of bare Fastify after 2 s of warm-up and 0.992 after 8 s, in the
   * same session (13 pairs each).
   */
  warmup?: number
  /** Connections to each server. Default 50. */
  connections?: number
  path?: string
  /**
   * Start each server with `--expose-gc`, so that a server which calls `globalThis.gc?.()` once it
   * listens begins the load from a settled heap. Default true. Why: on Node.js 24, a hello-world
   * Fastify server that loads more code before it listens (an unused import of `yaml` or `undici`,
   * or zerodown's plugins imported and not registered) served 0.83-0.91 of the same server without
   * it, side by side, when the major GC that startup's allocations start ran during startup; the
   * profile puts the difference in Node.js' own process.nextTick(), not in the added code. One full
   * collection after listen brought them to 0.985-1.00 and costs bare Fastify nothing. It does not
   * hide a heavier heap: 100,000 objects kept alive cost 0.91-0.92 with or without it.
   */
  settleHeap?: boolean
}

export interface ThroughputRun {
  variant: string
  pair: number
  requests: number
  requestsPerSecond: number
}

export interface ThroughputResult {
  reference: string
  candidate: string
  /** Whether each pair shared one CPU while the load generator had another (Linux `taskset`). */
  pinned: boolean
  /** Both servers of every pair, in the order started. */
  runs: ThroughputRun[]
  /** Candidate requests / reference requests for each pair, and their median. */
  ratios: number[]
  medianRatio: number
}

export function median (values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

async function load (server: ServerProcess, name: string, opts: { duration: number, connections: number, path: string }): Promise<number> {
  const result = await autocannon({ url: server.origin + opts.path, connections: opts.connections, duration: opts.duration })
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${name}: ${result.non2xx} non-2xx responses and ${result.errors} errors`)
  }
  return result.requests.total
}

export interface InterleavedOptions extends Omit<ThroughputOptions, 'variants'> {
  /** Each comparison's reference and candidate, as ThroughputOptions' `variants`. */
  comparisons: Array<[Variant, Variant]>
  /** Called after each pair with its comparison's index and the pair's ratio, e.g. for progress. */
  onPair?: (comparison: number, pair: number, ratio: number) => void
}

/**
 * Hello-world throughput of two servers, measured side by side: each pair is a fresh process of
 * each (who starts first swaps every pair), both loaded at the same time. Where Linux' `taskset`
 * is available the two servers share one CPU and the load generator has another, so the scheduler
 * gives both servers the same CPU time and each serves in proportion to how cheap its requests
 * are; whatever else the machine does falls on both alike. Sequential runs on a shared machine
 * swing by 15-20% from one run to the next, which hides a cost of a few percent.
 * The median of the per-pair ratios is the figure to report.
 */
export async function compareThroughput (options: ThroughputOptions): Promise<ThroughputResult> {
  const { variants, ...rest } = options
  const [result] = await compareThroughputInterleaved({ ...rest, comparisons: [variants] })
  return result!
}

/**
 * Several comparisons as compareThroughput measures one, taken in turn pair by pair: the first pair
 * of each, then the second of each, and so on. A machine whose speed drifts over the minutes of a
 * run then weighs on every comparison alike, instead of on whichever was measured at the time
 * (measured one after the other, a plugin read 0.997 against bare Fastify and, minutes later, 0.962
 * against bare Fastify sending the same bytes, which cannot both hold).
 */
export async function compareThroughputInterleaved (options: InterleavedOptions): Promise<ThroughputResult[]> {
  const opts = { pairs: 5, duration: 5, warmup: 6, connections: 50, path: '/', settleHeap: true, ...options }
  const nodeArgs = (variant: Variant): string[] => opts.settleHeap ? ['--expose-gc', ...variant.args] : variant.args
  const harnessCpus = getCpuAffinity(process.pid)
  const pinned = harnessCpus !== undefined && harnessCpus.length >= 2
  const results: ThroughputResult[] = opts.comparisons.map(([reference, candidate]) =>
    ({ reference: reference.name, candidate: candidate.name, pinned, runs: [], ratios: [], medianRatio: Number.NaN }))

  const measurePair = async ([reference, candidate]: [Variant, Variant], pair: number, result: ThroughputResult): Promise<number> => {
    const order = pair % 2 === 0 ? [reference, candidate] : [candidate, reference]
    const servers: ServerProcess[] = []
    try {
      for (const variant of order) servers.push(await startServerProcess({ args: nodeArgs(variant), env: variant.env }))
      if (pinned) for (const server of servers) setCpuAffinity(server.child.pid!, harnessCpus.slice(-1))
      const both = (duration: number): Promise<number[]> =>
        Promise.all(servers.map((server, i) => load(server, order[i]!.name, { ...opts, duration })))
      if (opts.warmup > 0) await both(opts.warmup)
      const requests = await both(opts.duration)
      order.forEach((variant, i) => result.runs.push({ variant: variant.name, pair, requests: requests[i]!, requestsPerSecond: requests[i]! / opts.duration }))
      return requests[order.indexOf(candidate)]! / requests[order.indexOf(reference)]!
    } finally {
      for (const server of servers) {
        server.signal('SIGKILL')
        await server.exited
      }
    }
  }

  try {
    if (pinned) setCpuAffinity(process.pid, harnessCpus.slice(0, -1))
    for (let pair = 0; pair < opts.pairs; pair++) {
      for (const [i, comparison] of opts.comparisons.entries()) {
        const ratio = await measurePair(comparison, pair, results[i]!)
        results[i]!.ratios.push(ratio)
        opts.onPair?.(i, pair, ratio)
      }
    }
  } finally {
    if (pinned) setCpuAffinity(process.pid, harnessCpus)
  }
  for (const result of results) result.medianRatio = median(result.ratios)
  return results
}

/**
 * The plugin packages' `bench`: a hello-world `server`, bare and with `WITH_PLUGIN=1`, side by side
 * (PAIRS and DURATION from the environment), printed with the median ratio.
 */
export async function benchPluginThroughput (plugin: string, server: string, target = 0.99): Promise<ThroughputResult> {
  const result = await compareThroughput({
    variants: [
      { name: 'bare fastify', args: [server] },
      { name: `fastify + ${plugin}`, args: [server], env: { WITH_PLUGIN: '1' } }
    ],
    pairs: Number(process.env.PAIRS ?? 5),
    duration: Number(process.env.DURATION ?? 5)
  })
  const width = Math.max(...result.runs.map((run) => run.variant.length)) + 2
  for (const run of result.runs) console.log(`pair ${run.pair + 1}  ${run.variant.padEnd(width)} ${Math.round(run.requestsPerSecond)} req/s`)
  console.log(`ratio per pair: ${result.ratios.map((r) => r.toFixed(3)).join(', ')}${result.pinned ? '' : ' (servers not pinned to one CPU: no taskset)'}`)
  console.log(`median ratio (with the plugin / bare fastify): ${result.medianRatio.toFixed(3)} (target >= ${target})`)
  return result
}
