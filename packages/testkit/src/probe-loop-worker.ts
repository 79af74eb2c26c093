// Worker thread: probes a URL one request after another, each on a new connection like the
// kubelet's, until told to stop; posts every latency (ms) and status. Its own event loop keeps
// the load generator's work out of the measured latencies.
import { parentPort, workerData } from 'node:worker_threads'
import { request } from 'undici'

const { url, pauseMs } = workerData as { url: string, pauseMs: number }
const state = { running: true }
parentPort!.once('message', () => { state.running = false })

const latencies: number[] = []
const statuses: Record<string, number> = {}
while (state.running) {
  const start = performance.now()
  let status: string | number
  try {
    const res = await request(url, { reset: true, headersTimeout: 5000, bodyTimeout: 5000 })
    await res.body.dump()
    status = res.statusCode
  } catch (err) {
    status = (err as { code?: string }).code ?? 'error'
  }
  latencies.push(performance.now() - start)
  statuses[status] = (statuses[status] ?? 0) + 1
  await new Promise((resolve) => setTimeout(resolve, pauseMs))
}
parentPort!.postMessage({ latencies, statuses })
