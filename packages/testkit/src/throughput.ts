import autocannon from 'autocannon'
import { startServerProcess } from './server-process.js'

export interface Variant {
  name: string
  /** Arguments after `node` that start a server which logs Fastify's "listening at" line. */
  args: string[]
  env?: Record<string, string>
}

export interface ThroughputOptions {
  /** The reference (first) and the candidate (second); the ratio is candidate / reference. */
  variants: [Variant, Variant]
  /** Alternating pairs of runs. Default 3. */
  pairs?: number
  /** Seconds per run. Default 5. */
  duration?: number
  connections?: number
  path?: string
}

export interface ThroughputResult {
  reference: string
  candidate: string
  /** Requests per second of each run, in the order run. */
  runs: Array<{ variant: string, requestsPerSecond: number }>
  /** candidate/reference for each pair, and their median. */
  ratios: number[]
  medianRatio: number
}

export function median (values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

async function measure (variant: Variant, opts: Required<Omit<ThroughputOptions, 'variants'>>): Promise<number> {
  const server = await startServerProcess({ args: variant.args, env: variant.env })
  try {
    const result = await autocannon({
      url: server.origin + opts.path,
      connections: opts.connections,
      duration: opts.duration
    })
    if (result.non2xx > 0 || result.errors > 0) {
      throw new Error(`${variant.name}: ${result.non2xx} non-2xx responses and ${result.errors} errors`)
    }
    return result.requests.average
  } finally {
    server.signal('SIGKILL')
    await server.exited
  }
}

/**
 * Hello-world throughput of two servers, measured in alternating runs so that the machine's
 * noise falls on both alike; the median of the per-pair ratios is the figure to report.
 */
export async function compareThroughput (options: ThroughputOptions): Promise<ThroughputResult> {
  const opts = { pairs: 3, duration: 5, connections: 50, path: '/', ...options }
  const [reference, candidate] = opts.variants
  const runs: ThroughputResult['runs'] = []
  const ratios: number[] = []
  for (let pair = 0; pair < opts.pairs; pair++) {
    // Swap who goes first each pair, so warm-up and drift do not favour one side.
    const order = pair % 2 === 0 ? [reference, candidate] : [candidate, reference]
    const rps = new Map<string, number>()
    for (const variant of order) {
      const requestsPerSecond = await measure(variant, opts)
      rps.set(variant.name, requestsPerSecond)
      runs.push({ variant: variant.name, requestsPerSecond })
    }
    ratios.push(rps.get(candidate.name)! / rps.get(reference.name)!)
  }
  return { reference: reference.name, candidate: candidate.name, runs, ratios, medianRatio: median(ratios) }
}

/**
 * The plugin packages' `bench`: a hello-world `server` run bare and with `WITH_PLUGIN=1`, in
 * alternating runs (PAIRS and DURATION from the environment), printed with the median ratio.
 */
export async function benchPluginThroughput (plugin: string, server: string, target = 0.98): Promise<ThroughputResult> {
  const result = await compareThroughput({
    variants: [
      { name: 'fastify', args: [server] },
      { name: `fastify + ${plugin}`, args: [server], env: { WITH_PLUGIN: '1' } }
    ],
    pairs: Number(process.env.PAIRS ?? 3),
    duration: Number(process.env.DURATION ?? 5)
  })
  const width = Math.max(...result.runs.map((run) => run.variant.length)) + 2
  for (const run of result.runs) console.log(`${run.variant.padEnd(width)} ${Math.round(run.requestsPerSecond)} req/s`)
  console.log(`ratio per pair: ${result.ratios.map((r) => r.toFixed(3)).join(', ')}`)
  console.log(`median ratio (with plugin / bare): ${result.medianRatio.toFixed(3)} (target >= ${target})`)
  return result
}
