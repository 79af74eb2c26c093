// 1. Overhead: hello-world throughput of Fastify with each zerodown plugin, and with the three,
// against bare Fastify (nothing registered), side by side; once with `logger: false` and once with
// a logger and request logging off. Bare Fastify against itself is the control that shows how
// finely the method resolves.
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

/** Each plugin alone, then the three together: the server's WITH_PLUGINS and the target ratio. */
export const OVERHEAD_TARGETS = [
  { plugins: 'shutdown', name: '@zerodown/shutdown', target: 0.99 },
  { plugins: 'probes', name: '@zerodown/probes', target: 0.99 },
  { plugins: 'version', name: '@zerodown/version', target: 0.99 },
  { plugins: 'all', name: 'the three plugins', target: 0.98 }
] as const

const SETUPS = [
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
    const server = (name: string, withPlugins: string): Variant => ({ name, args: [ZERODOWN_SERVER], env: { ...setup.env, WITH_PLUGINS: withPlugins } })
    const bare = server('bare Fastify', '0')
    const compare = async (candidate: Variant): Promise<Comparison> => {
      const result = summarizeComparison(await compareThroughput({ variants: [bare, candidate], ...config }))
      log(`  ${setup.id}: ${candidate.name} / ${bare.name}: ${result.medianRatio.toFixed(3)} (${result.ratios.map((r) => r.toFixed(3)).join(', ')})`)
      return result
    }
    const control = await compare({ ...bare, name: 'bare Fastify (again)' })
    const costs: PluginCost[] = []
    for (const { plugins, name, target } of OVERHEAD_TARGETS) {
      const result = await compare(server(`Fastify + ${name}`, plugins === 'all' ? '1' : plugins))
      costs.push({ ...result, plugins, target, met: result.medianRatio >= target })
    }
    setups.push({ id: setup.id, name: setup.name, control, costs })
  }
  return { config, setups, met: setups.every((s) => s.costs.every((c) => c.met)) }
}
