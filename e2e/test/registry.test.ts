// The loopback registry when another process has its port: the Node.js lines run side by side, and
// a server of another suite once took the port between freePort() and Verdaccio's listen, answered
// the ping, and the release test failed on its answer to the user registration.
import { createServer, type Server } from 'node:http'
import t, { type Test } from 'tap'
import { freePort, startRegistry } from '../lib/registry.js'

async function foreignServer (t: Test): Promise<number> {
  const server: Server = createServer((_req, res) => res.end('b'))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return (server.address() as { port: number }).port
}

t.test('a port another server answers on is refused, and the next port is tried', async (t) => {
  const taken = await foreignServer(t)
  const picked: number[] = []
  const registry = await startRegistry(async () => {
    const port = picked.length === 0 ? taken : await freePort()
    picked.push(port)
    return port
  })
  t.teardown(() => registry.stop())
  t.equal(picked.length, 2, 'a second port was picked')
  t.equal(new URL(registry.url).port, String(picked[1]), 'the registry listens on the second port')
  const ping = await fetch(new URL('-/ping', registry.url))
  t.equal(ping.status, 200, 'and it answers')
})

t.test('another Verdaccio on the port is not taken for this one', async (t) => {
  const other = await startRegistry()
  t.teardown(() => other.stop())
  const picked: number[] = []
  const registry = await startRegistry(async () => {
    const port = picked.length === 0 ? Number(new URL(other.url).port) : await freePort()
    picked.push(port)
    return port
  })
  t.teardown(() => registry.stop())
  t.equal(picked.length, 2, 'a second port was picked')
  t.not(registry.token, other.token, 'a registry of its own, with its own release user')
})

t.test('after three taken ports it gives up, saying why', async (t) => {
  const taken = await foreignServer(t)
  let picks = 0
  await t.rejects(startRegistry(async () => { picks++; return taken }), /answered 200, but not as this Verdaccio: another process has the port/)
  t.equal(picks, 3, 'three ports were tried')
})
