// 2. Probe latency under load: /readyz p50/p99 while the app serves user load near saturation,
// probes on the main port vs on a separate port. The probing itself is @zerodown/probes' own
// benchmark loop (a worker thread, one request after another, each on a new connection like the
// kubelet's), so both benchmarks measure the same thing.
import autocannon from 'autocannon'
import { startProbeLoop, startServerProcess } from '@zerodown/testkit'
import { ZERODOWN_SERVER } from './paths.js'
import { percentile } from './stats.js'
import { SETTINGS } from '@zerodown/contract'

export interface ProbeLatencyConfig {
  /** Seconds of the measured run. */
  duration: number
  /** Seconds of the calibration run that finds the maximum user throughput. */
  calibration: number
  /** Share of that maximum sent as user load during the measured run. */
  loadFactor: number
  connections: number
  /** Pause between two probes. */
  pauseMs: number
}

export interface ProbeLatencyRun {
  name: 'main port' | 'separate port'
  maxRequestsPerSecond: number
  userRequestsPerSecond: number
  userP99Ms: number
  probes: number
  statuses: Record<string, number>
  p50Ms: number
  p99Ms: number
  maxMs: number
}

export interface ProbeLatencyResult {
  config: ProbeLatencyConfig
  runs: ProbeLatencyRun[]
  target: number
  met: boolean
}

export const PROBE_P99_TARGET_MS = 50

async function measure (name: ProbeLatencyRun['name'], config: ProbeLatencyConfig): Promise<ProbeLatencyRun> {
  const separate = name === 'separate port'
  const app = await startServerProcess({ args: [ZERODOWN_SERVER], env: { WITH_PLUGINS: '1', ...(separate && { [SETTINGS.probePort.env]: '0' }) } })
  try {
    let probeOrigin = app.origin
    if (separate) {
      const log = await app.waitForLog('probes answering on port')
      probeOrigin = `http://127.0.0.1:${(log.probes as { port: number }).port}`
    }
    const url = `${app.origin}/`
    const calibration = await autocannon({ url, connections: config.connections, duration: config.calibration })
    const overallRate = Math.max(1, Math.round(calibration.requests.average * config.loadFactor))
    const probes = startProbeLoop(`${probeOrigin}/readyz`, config.pauseMs)
    const load = await autocannon({ url, connections: config.connections, duration: config.duration, overallRate })
    const { latencies, statuses } = await probes.stop()
    const sorted = [...latencies].sort((a, b) => a - b)
    return {
      name,
      maxRequestsPerSecond: Math.round(calibration.requests.average),
      userRequestsPerSecond: Math.round(load.requests.average),
      userP99Ms: load.latency.p99,
      probes: sorted.length,
      statuses,
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
      maxMs: sorted.at(-1) ?? Number.NaN
    }
  } finally {
    app.signal('SIGKILL')
    await app.exited
  }
}

export async function measureProbeLatency (config: ProbeLatencyConfig): Promise<ProbeLatencyResult> {
  const runs = [await measure('main port', config), await measure('separate port', config)]
  return { config, runs, target: PROBE_P99_TARGET_MS, met: runs.every((r) => r.p99Ms < PROBE_P99_TARGET_MS) }
}
