// Latency of /readyz while the same process serves user load near saturation, probes on the main
// port vs on a separate port. A short calibration run finds the process's maximum user throughput;
// the measured run then sends user requests at LOAD (default 0.8) of it with autocannon, while
// /readyz is probed one request after another, each on a new connection like the kubelet's.
//   pnpm --filter @zerodown/probes bench        (DURATION=20 LOAD=0.9 for other figures)
import autocannon from 'autocannon'
import { startProbeLoop, startServerProcess } from '@zerodown/testkit'

const server = new URL('./server.js', import.meta.url).pathname
const duration = Number(process.env.DURATION ?? 10)
const connections = Number(process.env.CONNECTIONS ?? 50)
const pauseMs = Number(process.env.PAUSE_MS ?? 20)
const loadFactor = Number(process.env.LOAD ?? 0.8)

function percentile (sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
}

async function measure (name, env) {
  const app = await startServerProcess({ args: [server], env })
  try {
    let probeOrigin = app.origin
    if (env.PROBES_PORT !== undefined) {
      const log = await app.waitForLog('probes answering on port')
      probeOrigin = `http://127.0.0.1:${log.probes.port}`
    }
    const calibration = await autocannon({ url: `${app.origin}/`, connections, duration: 3 })
    const overallRate = Math.round(calibration.requests.average * loadFactor)
    const probes = startProbeLoop(`${probeOrigin}/readyz`, pauseMs)
    const load = await autocannon({ url: `${app.origin}/`, connections, duration, overallRate })
    const { latencies, statuses } = await probes.stop()
    const sorted = latencies.sort((a, b) => a - b)
    return {
      name,
      maxRps: Math.round(calibration.requests.average),
      userRps: Math.round(load.requests.average),
      userP99: load.latency.p99,
      probes: sorted.length,
      statuses,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      max: sorted[sorted.length - 1]
    }
  } finally {
    app.signal('SIGKILL')
    await app.exited
  }
}

const results = [
  await measure('main port', {}),
  await measure('separate port', { PROBES_PORT: '0' })
]
const ms = (n) => `${n.toFixed(1)} ms`
console.log(`user load: autocannon, ${connections} connections, ${duration} s at ${loadFactor} of the calibrated maximum; /readyz probed every ${pauseMs} ms on a new connection`)
for (const r of results) {
  console.log(`${r.name.padEnd(14)} /readyz p50 ${ms(r.p50)}  p99 ${ms(r.p99)}  max ${ms(r.max)}  (${r.probes} probes, statuses ${JSON.stringify(r.statuses)})  user ${r.userRps} req/s of max ${r.maxRps}, user p99 ${r.userP99} ms`)
}
const worst = Math.max(...results.map((r) => r.p99))
console.log(`worst /readyz p99: ${ms(worst)} (target < 50 ms)`)
