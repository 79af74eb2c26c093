#!/usr/bin/env node
// The real run's load: started inside the cluster's network namespace, it sends the fidelity load
// (JSON in argv[3]) to the Service at argv[2] until SIGTERM, then waits for the requests in flight and
// prints one JSON line per request. Closed loop, like the rehearsal's: each client sends its next
// request when the last one ended, on a schedule it catches up with when late.
import { setTimeout as sleep } from 'node:timers/promises'
import { Agent, request } from 'undici'
import type { LoadRecord, LoadShape } from './load-shape.js'

const TIMEOUTS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'TimeoutError'])

const origin = process.argv[2]!
const shape = JSON.parse(process.argv[3]!) as LoadShape
const records: LoadRecord[] = []
const state = { running: true }
process.once('SIGTERM', () => { state.running = false })

// Smooth weighted round robin over the requests, the same order in every run.
const total = shape.requests.reduce((sum, r) => sum + r.weight, 0)
const credit = shape.requests.map(() => 0)
const next = (): string => {
  let best = 0
  for (let i = 0; i < credit.length; i++) {
    credit[i]! += shape.requests[i]!.weight
    if (credit[i]! > credit[best]!) best = i
  }
  credit[best]! -= total
  return shape.requests[best]!.path
}

async function send (agent: Agent, client: LoadRecord['client']): Promise<void> {
  const path = next()
  const at = Date.now()
  try {
    const res = await request(origin + path, {
      dispatcher: agent,
      // A new connection per request: `reset` closes it once the response has arrived.
      reset: client === 'new-connection',
      headersTimeout: shape.timeoutMs,
      bodyTimeout: shape.timeoutMs
    })
    await res.body.dump()
    const version = res.headers['x-app-version']
    const ok = res.statusCode >= 200 && res.statusCode < 400
    records.push({ at, end: Date.now(), path, client, outcome: ok ? 'ok' : 'status', status: res.statusCode, ...(version !== undefined && { version: String(version) }) })
  } catch (err) {
    const e = err as { code?: string, name?: string, cause?: { code?: string } }
    const code = e.code ?? e.cause?.code ?? e.name ?? String(err)
    const outcome = TIMEOUTS.has(code) ? 'timeout' : code === 'ECONNREFUSED' ? 'refused' : 'reset'
    records.push({ at, end: Date.now(), path, client, outcome, error: code })
  }
}

const workers = shape.keepAlive + shape.newConnection
const interval = (1000 * workers) / shape.rate
async function worker (index: number): Promise<void> {
  const agent = new Agent({ connections: 1, pipelining: 1, keepAliveTimeout: 60_000 })
  const client = index < shape.keepAlive ? 'keep-alive' : 'new-connection'
  let due = Date.now() + (interval * index) / workers
  while (state.running) {
    const wait = due - Date.now()
    if (wait > 0) await sleep(Math.min(wait, 50))
    if (!state.running) break
    if (Date.now() < due) continue
    due = Math.max(due + interval, Date.now())
    await send(agent, client)
  }
  await agent.destroy()
}

await Promise.all(Array.from({ length: workers }, (_, i) => worker(i)))
process.stdout.write(records.map((r) => JSON.stringify(r)).join('\n') + '\n')
