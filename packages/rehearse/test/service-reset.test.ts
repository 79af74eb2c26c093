// The Service's reset of a client connection whose end is already being written.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { test } from 'tap'

const FIXTURE = fileURLToPath(new URL('./fixtures/reset-ended.mjs', import.meta.url))

test('a reset after the end was written closes the connection, and the process still exits', async (t) => {
  // Node.js refuses that reset and never closes the socket: the process would spin at exit forever.
  const result = spawnSync(process.execPath, [FIXTURE], { encoding: 'utf8', timeout: 30_000 })
  t.equal(result.error, undefined, `the process exited by itself (${result.error?.message ?? ''})`)
  t.equal(result.status, 0, result.stderr)
  const seen = JSON.parse(result.stdout) as { received: string }
  t.match(seen.received, /^bye/, 'the client got what was written before the end, then the connection closed')
})
