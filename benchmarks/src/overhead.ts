// 1. Overhead: hello-world throughput of Fastify with the three zerodown plugins against the same
// app with three empty plugins in their place; that reference against itself, the control that
// shows how finely the method resolves; and bare Fastify against the reference, which shows what
// registering any plugin at all costs on this Node.js.
import { compareThroughput, type ThroughputResult, type Variant } from '@zerodown/testkit'
import { ZERODOWN_SERVER } from './paths.js'
import { summarize, type Summary } from './stats.js'

export interface OverheadConfig {
  /** Pairs of fresh server processes, each pair measured side by side. */
  pairs: number
  /** Seconds of measured load per pair. */
  duration: number
  /** Seconds of load before each measured run. */
  warmup: number
  connections: number
}

export interface Comparison extends ThroughputResult {
  /** Requests per second of each side over the pairs. */
  requestsPerSecond: Record<string, Summary>
  ratio: Summary
}

export interface OverheadResult extends Comparison {
  config: OverheadConfig
  /** The reference against itself, measured the same way: its spread around 1 is the method's noise. */
  control: Comparison
  /** Bare Fastify (no plugin registered) against the reference: what registering empty plugins costs. */
  anyPlugin: Comparison
  target: number
  met: boolean
}

export const OVERHEAD_TARGET = 0.97

const server = (name: string, withPlugins: string): Variant => ({ name, args: [ZERODOWN_SERVER], env: { WITH_PLUGINS: withPlugins } })
const bare = server('fastify, no plugin registered', '0')
const standIns = server('fastify + three empty plugins', 'stand-ins')
const zerodown = server('fastify + shutdown + probes + version', '1')

function summarizeComparison (result: ThroughputResult): Comparison {
  const requestsPerSecond: Record<string, Summary> = {}
  for (const name of [result.reference, result.candidate]) {
    requestsPerSecond[name] = summarize(result.runs.filter((r) => r.variant === name).map((r) => r.requestsPerSecond))
  }
  return { ...result, requestsPerSecond, ratio: summarize(result.ratios) }
}

export async function measureOverhead (config: OverheadConfig): Promise<OverheadResult> {
  const compare = async (reference: Variant, candidate: Variant): Promise<Comparison> =>
    summarizeComparison(await compareThroughput({ variants: [reference, candidate], ...config }))
  const result = await compare(standIns, zerodown)
  const control = await compare(standIns, { ...standIns, name: `${standIns.name} (again)` })
  const anyPlugin = await compare(bare, standIns)
  return { ...result, config, control, anyPlugin, target: OVERHEAD_TARGET, met: result.medianRatio >= OVERHEAD_TARGET }
}
