// 3. Shutdown latency: what the shutdown costs beyond the waits it is asked for. SIGTERM to exit of
// an idle server minus its drainDelay; and with requests in flight, exit minus the later of the
// drain's end and the last response.
import { setTimeout as sleep } from 'node:timers/promises'
import { Agent } from 'undici'
import { send, startServerProcess, type RequestRecord } from '@zerodown/testkit'
import { ZERODOWN_SERVER } from './paths.js'
import { summarize, type Summary } from './stats.js'
import { SETTINGS } from '@zerodown/contract'

export interface ShutdownLatencyConfig {
  runs: number
  /** The shutdown plugin's drainDelay, ms. */
  drainDelay: number
  /** Requests in flight at SIGTERM, each on its own connection, and how long each takes. */
  inFlight: number
  requestMs: number
}

export interface ShutdownLatencyCase {
  /** ms beyond what the server had to wait for, one per run. */
  overheadMs: number[]
  summary: Summary
  /** Exit codes seen (0 expected). */
  exitCodes: Array<number | null>
  /** In-flight requests that did not end with a 200. */
  failedRequests: number
}

export interface ShutdownLatencyResult {
  config: ShutdownLatencyConfig
  idle: ShutdownLatencyCase
  inFlight: ShutdownLatencyCase
  target: number
  met: boolean
}

export const SHUTDOWN_TARGET_MS = 50

async function startServer (drainDelay: number): Promise<Awaited<ReturnType<typeof startServerProcess>>> {
  const server = await startServerProcess({ args: [ZERODOWN_SERVER], env: { WITH_PLUGINS: '1', [SETTINGS.drainDelay.env]: String(drainDelay) } })
  // Let start-up settle, so the signal meets a server that is only serving.
  await sleep(200)
  return server
}

async function idleRun (config: ShutdownLatencyConfig): Promise<{ overhead: number, code: number | null }> {
  const server = await startServer(config.drainDelay)
  const signalledAt = performance.now()
  server.signal('SIGTERM')
  const exit = await server.exited
  return { overhead: exit.at - signalledAt - config.drainDelay, code: exit.code }
}

async function inFlightRun (config: ShutdownLatencyConfig): Promise<{ overhead: number, code: number | null, failed: number }> {
  const server = await startServer(config.drainDelay)
  const agent = new Agent({ connections: config.inFlight, keepAliveTimeout: 60_000 })
  try {
    const requests: Array<Promise<RequestRecord>> = []
    for (let i = 0; i < config.inFlight; i++) {
      requests.push(send(agent, server.origin, `/work?ms=${config.requestMs}`, config.requestMs + 30_000))
    }
    // Well inside the requests, so that every one of them has reached the server.
    await sleep(Math.min(100, config.requestMs / 4))
    const signalledAt = performance.now()
    server.signal('SIGTERM')
    const records = await Promise.all(requests)
    const exit = await server.exited
    const lastResponse = Math.max(...records.map((r) => r.end))
    const waitedUntil = Math.max(lastResponse, signalledAt + config.drainDelay)
    return { overhead: exit.at - waitedUntil, code: exit.code, failed: records.filter((r) => r.status !== 200).length }
  } finally {
    await agent.close()
  }
}

export async function measureShutdownLatency (config: ShutdownLatencyConfig): Promise<ShutdownLatencyResult> {
  const idle: ShutdownLatencyCase = { overheadMs: [], summary: summarize([]), exitCodes: [], failedRequests: 0 }
  const inFlight: ShutdownLatencyCase = { overheadMs: [], summary: summarize([]), exitCodes: [], failedRequests: 0 }
  for (let i = 0; i < config.runs; i++) {
    const a = await idleRun(config)
    idle.overheadMs.push(a.overhead)
    idle.exitCodes.push(a.code)
    const b = await inFlightRun(config)
    inFlight.overheadMs.push(b.overhead)
    inFlight.exitCodes.push(b.code)
    inFlight.failedRequests += b.failed
  }
  idle.summary = summarize(idle.overheadMs)
  inFlight.summary = summarize(inFlight.overheadMs)
  return {
    config,
    idle,
    inFlight,
    target: SHUTDOWN_TARGET_MS,
    met: idle.summary.median < SHUTDOWN_TARGET_MS && inFlight.summary.median < SHUTDOWN_TARGET_MS
  }
}
