// N open WebSockets at SIGTERM: how long until every one is closed, with which close code, and how
// the close frames spread over the drain window (the server is a child process; the clients are here).
//   node bench/websockets.js        (SOCKETS=1000 DRAIN_DELAY=5000 to vary)
import { startServerProcess } from '@zerodown/testkit'
import WebSocket from 'ws'

const server = new URL('./server.js', import.meta.url).pathname
const sockets = Number(process.env.SOCKETS ?? 1000)
const drainDelay = Number(process.env.DRAIN_DELAY ?? 5000)
const child = await startServerProcess({ args: [server], env: { WITH_PLUGIN: '1', WEBSOCKET: '1', DRAIN_DELAY: String(drainDelay) } })

const closes = []
const opening = []
for (let i = 0; i < sockets; i++) {
  const socket = new WebSocket(`ws://127.0.0.1:${child.port}/ws`)
  closes.push(new Promise((resolve) => socket.on('close', (code) => resolve({ code, at: performance.now() }))))
  opening.push(new Promise((resolve, reject) => { socket.once('open', resolve); socket.once('error', reject) }))
  // Open in batches, as a listen backlog of 511 would refuse a burst of thousands.
  if (i % 200 === 199) await Promise.all(opening)
}
await Promise.all(opening)
await new Promise((resolve) => setTimeout(resolve, 500))

const signalledAt = performance.now()
child.signal('SIGTERM')
const closed = await Promise.all(closes)
const exit = await child.exited
const offsets = closed.map((c) => c.at - signalledAt).sort((a, b) => a - b)
const codes = {}
for (const { code } of closed) codes[code] = (codes[code] ?? 0) + 1
const tenth = drainDelay / 10
const buckets = Array.from({ length: 10 }, (_, i) => offsets.filter((o) => o >= i * tenth && o < (i + 1) * tenth).length)
const pct = (p) => offsets[Math.min(offsets.length - 1, Math.floor(p * offsets.length))].toFixed(0)

console.log(`${sockets} WebSockets, drainDelay ${drainDelay} ms, SIGTERM at t=0`)
console.log(`close codes: ${JSON.stringify(codes)}`)
console.log(`close received: first ${offsets[0].toFixed(0)} ms, p10 ${pct(0.1)}, p50 ${pct(0.5)}, p90 ${pct(0.9)}, last ${offsets.at(-1).toFixed(0)} ms`)
console.log(`per tenth of the window: ${buckets.join(' ')} (after the window: ${offsets.filter((o) => o >= drainDelay).length})`)
console.log(`largest number closed within any 100 ms: ${Math.max(...offsets.map((o) => offsets.filter((p) => p >= o && p < o + 100).length))}`)
console.log(`exit code ${exit.code} at ${(exit.at - signalledAt).toFixed(0)} ms (drainDelay + ${(exit.at - signalledAt - drainDelay).toFixed(0)} ms)`)
