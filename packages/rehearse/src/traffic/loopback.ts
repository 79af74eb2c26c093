// Loopback ports: the rehearsal's servers and pods use 127.0.0.1 only.
import { createServer, type Server } from 'node:net'

/** Listens on a free loopback port the kernel picks; resolves with that port. */
export async function listenOnLoopback (server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const address = server.address()
  return typeof address === 'object' && address !== null ? address.port : 0
}

/** A loopback port that was free a moment ago: the kernel picks it, the probe server lets it go. */
export async function freePort (): Promise<number> {
  const server = createServer()
  const port = await listenOnLoopback(server)
  await new Promise((resolve) => server.close(resolve))
  return port
}
