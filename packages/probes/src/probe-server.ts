import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Answerer } from './answer.js'
import type { ProbeKind } from './options.js'
import { wantsVerbose } from './verbose.js'

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }

function send (res: ServerResponse, statusCode: number, body: unknown, head: boolean): void {
  const payload = JSON.stringify(body)
  res.writeHead(statusCode, { ...JSON_HEADERS, 'content-length': Buffer.byteLength(payload) })
  res.end(head ? undefined : payload)
}

/**
 * The probes on a listener of their own: plain node:http, no hooks, no logging, nothing of the
 * app's in the way, so it answers as long as the event loop turns, through draining and closing.
 */
export class ProbeServer {
  readonly #server: Server
  readonly #routes: Map<string, ProbeKind>

  constructor (routes: Array<[string, ProbeKind]>, answerer: Answerer, verbose: { always: boolean, onQuery: boolean }, onError: (err: Error) => void) {
    this.#routes = new Map(routes)
    this.#server = createServer((req: IncomingMessage, res: ServerResponse) => {
      // Split by hand: `new URL()` throws on some request targets, and a probe must never throw.
      const target = req.url ?? '/'
      const queryAt = target.indexOf('?')
      const path = queryAt === -1 ? target : target.slice(0, queryAt)
      const query = new URLSearchParams(queryAt === -1 ? '' : target.slice(queryAt + 1))
      const kind = this.#routes.get(path)
      const head = req.method === 'HEAD'
      if (kind === undefined) return send(res, 404, { error: 'Not Found' }, head)
      if (req.method !== 'GET' && !head) {
        res.setHeader('allow', 'GET, HEAD')
        return send(res, 405, { error: 'Method Not Allowed' }, head)
      }
      const verboseAnswer = verbose.always || (verbose.onQuery && wantsVerbose(query.get('verbose')))
      answerer.answer(kind, verboseAnswer).then(
        (answer) => send(res, answer.statusCode, answer.body, head),
        /* c8 ignore next */ () => send(res, 503, { status: 'fail' }, head)
      )
    })
    // A listener error after listening (EMFILE on accept, say) is logged, never thrown.
    this.#server.on('error', (err) => { if (this.#server.listening) onError(err) })
  }

  listen (port: number, host: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      const server = this.#server
      const onError = (err: Error): void => reject(err)
      server.once('error', onError)
      server.listen({ port, host }, () => {
        server.off('error', onError)
        resolve(server.address() as AddressInfo)
      })
    })
  }

  get address (): AddressInfo | undefined {
    const address = this.#server.address()
    return address !== null && typeof address === 'object' ? address : undefined
  }

  close (): Promise<void> {
    if (!this.#server.listening) return Promise.resolve()
    return new Promise((resolve) => {
      this.#server.close(() => resolve())
      this.#server.closeAllConnections()
    })
  }
}
