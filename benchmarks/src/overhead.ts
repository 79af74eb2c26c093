// 1. Overhead: hello-world throughput of bare Fastify vs Fastify with the three zerodown plugins.
import { compareThroughput, type ThroughputResult } from '@zerodown/testkit'
import { ZERODOWN_SERVER } from './paths.js'
import { summarize, type Summary } from './stats.js'

export interface OverheadConfig {
  /** Alternating pairs of autocannon runs (who goes first swaps every pair). */
  pairs: number
  /** Seconds per run. */
  duration: number
  connections: number
}

export interface OverheadResult extends ThroughputResult {
  config: OverheadConfig
  /** Requests per second of each side over its runs. */
  requestsPerSecond: Record<string, Summary>
  ratio: Summary
  target: number
  met: boolean
}

export const OVERHEAD_TARGET = 0.97

export async function measureOverhead (config: OverheadConfig): Promise<OverheadResult> {
  const result = await compareThroughput({
    variants: [
      { name: 'fastify', args: [ZERODOWN_SERVER], env: { WITH_PLUGINS: '0' } },
      { name: 'fastify + shutdown + probes + version', args: [ZERODOWN_SERVER], env: { WITH_PLUGINS: '1' } }
    ],
    pairs: config.pairs,
    duration: config.duration,
    connections: config.connections
  })
  const requestsPerSecond: Record<string, Summary> = {}
  for (const name of [result.reference, result.candidate]) {
    requestsPerSecond[name] = summarize(result.runs.filter((r) => r.variant === name).map((r) => r.requestsPerSecond))
  }
  return {
    ...result,
    config,
    requestsPerSecond,
    ratio: summarize(result.ratios),
    target: OVERHEAD_TARGET,
    met: result.medianRatio >= OVERHEAD_TARGET
  }
}
