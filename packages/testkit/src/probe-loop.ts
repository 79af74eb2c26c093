import { Worker } from 'node:worker_threads'

export interface ProbeLoopResult {
  /** Every probe's latency in ms, in the order sent. */
  latencies: number[]
  /** How many probes got each status code (or error code). */
  statuses: Record<string, number>
}

/**
 * Probes `url` like a kubelet (one request after another, each on a new connection, `pauseMs`
 * apart) from a worker thread, so load generated in this process does not skew the latencies.
 */
export function startProbeLoop (url: string, pauseMs: number): { stop: () => Promise<ProbeLoopResult> } {
  const worker = new Worker(new URL('./probe-loop-worker.js', import.meta.url), { workerData: { url, pauseMs } })
  const done = new Promise<ProbeLoopResult>((resolve, reject) => {
    worker.once('message', resolve)
    worker.once('error', reject)
  })
  return {
    async stop () {
      worker.postMessage('stop')
      const result = await done
      await worker.terminate()
      return result
    }
  }
}
