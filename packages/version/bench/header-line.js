// What one more header line costs Node.js per response, whoever sets it: ServerResponse.writeHead()
// with the headers Fastify sends for a hello-world reply, with and without `x-app-version`, in
// alternating blocks so that the machine's drift falls on both alike. This is the floor of what
// @zerodown/version can cost per request: its own work is one reply.header() call beside it.
//   pnpm --filter @zerodown/version bench:header       (BLOCKS=40 ITERATIONS=100000 by default)
import { IncomingMessage, ServerResponse } from 'node:http'
import { median } from '@zerodown/testkit'

const BLOCKS = Number(process.env.BLOCKS ?? 40)
const ITERATIONS = Number(process.env.ITERATIONS ?? 100_000)
for (const [name, value] of [['BLOCKS', BLOCKS], ['ITERATIONS', ITERATIONS]]) {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number >= 1, got ${JSON.stringify(process.env[name])}`)
}

const request = new IncomingMessage(null)
request.httpVersionMajor = 1
request.httpVersionMinor = 1
request.method = 'GET'

// The header object is built as Fastify builds it: the handler's header first, then its own two.
// writeHead() stores the header block on the response, a side effect the JIT cannot drop.
function respond (withVersion) {
  const response = new ServerResponse(request)
  const headers = {}
  if (withVersion) headers['x-app-version'] = '1.0.0'
  headers['content-type'] = 'application/json; charset=utf-8'
  headers['content-length'] = '17'
  response.writeHead(200, headers)
}

/** Nanoseconds per response over one block. */
function block (withVersion) {
  const start = process.hrtime.bigint()
  for (let i = 0; i < ITERATIONS; i++) respond(withVersion)
  return Number(process.hrtime.bigint() - start) / ITERATIONS
}

for (let i = 0; i < 5; i++) { block(false); block(true) } // warm-up: let the JIT settle
const without = []
const withVersion = []
for (let i = 0; i < BLOCKS; i++) {
  // Who goes first swaps every block.
  if (i % 2 === 0) { without.push(block(false)); withVersion.push(block(true)) } else { withVersion.push(block(true)); without.push(block(false)) }
}
const differences = withVersion.map((ns, i) => ns - without[i])
console.log(`Node.js ${process.version}, ${BLOCKS} blocks of ${ITERATIONS} responses each`)
console.log(`writeHead without x-app-version: ${median(without).toFixed(0)} ns per response (median)`)
console.log(`writeHead with x-app-version:    ${median(withVersion).toFixed(0)} ns per response (median)`)
console.log(`one more header line: ${median(differences).toFixed(0)} ns per response (median of the per-block differences)`)
