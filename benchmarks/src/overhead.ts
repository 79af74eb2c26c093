// 1. Overhead: hello-world throughput of Fastify with each zerodown plugin, and with the three,
// against bare Fastify (nothing registered), side by side; once with `logger: false` and once with
// a logger and request logging off. Bare Fastify against itself is the control that shows how
// finely the method resolves. The plugins whose responses carry @zerodown/version's header are also
// measured against bare Fastify that sets the same header in its handlers: the same bytes on the wire.
// The comparisons of each setup take turns pair by pair (testkit's compareThroughputInterleaved).
import { compareThroughputInterleaved, type ThroughputResult, type Variant } from '@zerodown/testkit'
import { ZERODOWN_SERVER } from './paths.js'
import { summarize, type Summary } from './stats.js'
import { SETTINGS } from '@zerodown/contract'

export interface OverheadConfig {
  /** Pairs of fresh server processes, each pair measured side by side. */
  pairs: number
  /** Seconds of measured load per pair. */
  duration: number
  /** Seconds of load before each measured run. */
  warmup: number
  connections: number
  /** Each server collects its garbage once it listens (testkit's compareThroughput settleHeap). */
  settleHeap: boolean
}

export interface Comparison extends ThroughputResult {
  /** Requests per second of each side over the pairs. */
  requestsPerSecond: Record<string, Summary>
  ratio: Summary
}

export interface PluginCost extends Comparison {
  /** `shutdown`, `probes`, `version`, or `all` for the three together. */
  plugins: string
  target: number
  met: boolean
  /**
   * Only for the plugins that add the `x-app-version` header: the same server against bare Fastify
   * whose handlers set that header themselves, so both sides send the same bytes. The ratio is what
   * the plugins cost beyond the header they are asked to send.
   */
  sameResponse?: Comparison & { met: boolean }
}

export interface LoggerSetup {
  id: 'no-logger' | 'logger'
  /** How Fastify is built, the same on both sides. */
  name: string
  /** Bare Fastify against itself: its spread around 1 is the method's noise. */
  control: Comparison
  costs: PluginCost[]
}

export interface OverheadResult {
  config: OverheadConfig
  setups: LoggerSetup[]
  met: boolean
}

/**
 * Each plugin alone, then the three together: the server's WITH_PLUGINS, the target ratio and
 * whether the responses carry the version header.
 */
export const OVERHEAD_TARGETS = [
  { plugins: 'shutdown', name: '@zerodown/shutdown', target: 0.99, header: false },
  { plugins: 'probes', name: '@zerodown/probes', target: 0.99, header: false },
  { plugins: 'version', name: '@zerodown/version', target: 0.99, header: true },
  { plugins: 'all', name: 'the three plugins', target: 0.98, header: true }
] as const

/** The version header's value on every side, so that the same-header reference sends the same bytes. */
export const APP_VERSION = { [SETTINGS.appVersion.env]: '1.0.0' }

/** How Fastify is built, the same on every side: without a logger, then with one. */
export const SETUPS = [
  { id: 'no-logger', name: '`logger: false`', env: { LOGGER: '0' } },
  { id: 'logger', name: 'a logger, request logging off (`disableRequestLogging: true`)', env: { LOGGER: '1' } }
] as const

function summarizeComparison (result: ThroughputResult): Comparison {
  const requestsPerSecond: Record<string, Summary> = {}
  for (const name of [result.reference, result.candidate]) {
    requestsPerSecond[name] = summarize(result.runs.filter((r) => r.variant === name).map((r) => r.requestsPerSecond))
  }
  return { ...result, requestsPerSecond, ratio: summarize(result.ratios) }
}

export async function measureOverhead (config: OverheadConfig, log: (line: string) => void = () => {}): Promise<OverheadResult> {
  const setups: LoggerSetup[] = []
  for (const setup of SETUPS) {
    const server = (name: string, env: Record<string, string>): Variant => ({ name, args: [ZERODOWN_SERVER], env: { ...setup.env, ...APP_VERSION, ...env } })
    const bare = server('bare Fastify', { WITH_PLUGINS: '0' })
    const bareWithHeader = server('bare Fastify setting the same header', { WITH_PLUGINS: '0', SAME_HEADER: 'route' })
    // Every comparison of the setup, pair by pair in turn, so that the machine's drift falls on all alike.
    const comparisons: Array<[Variant, Variant]> = [[bare, { ...bare, name: 'bare Fastify (again)' }]]
    const plugged = OVERHEAD_TARGETS.map((target) => {
      const candidate = server(`Fastify + ${target.name}`, { WITH_PLUGINS: target.plugins === 'all' ? '1' : target.plugins })
      const main = comparisons.push([bare, candidate]) - 1
      const sameResponse = target.header ? comparisons.push([bareWithHeader, candidate]) - 1 : undefined
      return { ...target, main, sameResponse }
    })
    const results = (await compareThroughputInterleaved({
      comparisons,
      ...config,
      onPair: (i, pair, ratio) => log(`  ${setup.id}, pair ${pair + 1}/${config.pairs}: ${comparisons[i]![1].name} / ${comparisons[i]![0].name}: ${ratio.toFixed(3)}`)
    })).map(summarizeComparison)
    for (const r of results) log(`  ${setup.id}: ${r.candidate} / ${r.reference}: ${r.medianRatio.toFixed(3)} (${r.ratios.map((x) => x.toFixed(3)).join(', ')})`)
    const control = results[0]!
    const costs: PluginCost[] = plugged.map(({ plugins, target, main, sameResponse }) => {
      const result = results[main]!
      const same = sameResponse === undefined ? undefined : results[sameResponse]!
      return {
        ...result,
        plugins,
        target,
        met: result.medianRatio >= target,
        ...(same !== undefined && { sameResponse: { ...same, met: same.medianRatio >= target } })
      }
    })
    setups.push({ id: setup.id, name: setup.name, control, costs })
  }
  return { config, setups, met: setups.every((s) => s.costs.every((c) => c.met)) }
}
