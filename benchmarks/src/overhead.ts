// 1. Overhead: hello-world throughput of bare Fastify vs Fastify with the three zerodown plugins,
// and bare vs bare as the control that shows how finely the method resolves.
import { compareThroughput, type ThroughputResult } from '@zerodown/testkit'
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
  /** Bare Fastify against itself, measured the same way: its spread around 1 is the method's noise. */
  control: Comparison
  target: number
  met: boolean
}

export const OVERHEAD_TARGET = 0.97

const bare = { args: [ZERODOWN_SERVER], env: { WITH_PLUGINS: '0' } }
const withPlugins = { name: 'fastify + shutdown + probes + version', args: [ZERODOWN_SERVER], env: { WITH_PLUGINS: '1' } }

function summarizeComparison (result: ThroughputResult): Comparison {
  const requestsPerSecond: Record<string, Summary> = {}
  for (const name of [result.reference, result.candidate]) {
    requestsPerSecond[name] = summarize(result.runs.filter((r) => r.variant === name).map((r) => r.requestsPerSecond))
  }
  return { ...result, requestsPerSecond, ratio: summarize(result.ratios) }
}

export async function measureOverhead (config: OverheadConfig): Promise<OverheadResult> {
  const measure = (candidate: typeof withPlugins): Promise<ThroughputResult> => compareThroughput({
    variants: [{ name: 'fastify', ...bare }, candidate],
    ...config
  })
  const result = summarizeComparison(await measure(withPlugins))
  const control = summarizeComparison(await measure({ name: 'fastify (again)', ...bare }))
  return { ...result, config, control, target: OVERHEAD_TARGET, met: result.medianRatio >= OVERHEAD_TARGET }
}
