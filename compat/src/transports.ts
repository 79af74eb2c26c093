import type { FastifyInstance, FastifyServerOptions } from 'fastify'
import { connect, type ClientHttp2Session, type IncomingHttpHeaders } from 'node:http2'
import { Agent, request } from 'undici'
import { selfSignedCert } from './tls.js'

/** How the matrix talks to an app: a real server on 127.0.0.1, or no server at all. */
export const TRANSPORTS = ['http1', 'http2', 'https', 'inject'] as const
export type Transport = typeof TRANSPORTS[number]

/**
 * Fastify's server options for a transport. HTTP/2 is over TLS with `allowHTTP1`, so that
 * WebSocket clients, which upgrade an HTTP/1.1 request, reach the same server (see gaps.ts).
 */
export function serverOptions (transport: Transport, { allowHTTP1 = true } = {}): FastifyServerOptions {
  if (transport === 'https') return { https: selfSignedCert() } as FastifyServerOptions
  if (transport === 'http2') return { http2: true, https: { ...selfSignedCert(), allowHTTP1 } } as FastifyServerOptions
  return {}
}

export interface Reply {
  method: string
  path: string
  status: number
  headers: Record<string, string | undefined>
  body: Buffer
  /** Why this reply is expected without the version header (a known gap, see gaps.ts). */
  gap?: string
}

export interface RequestOptions {
  method?: string
  path: string
  headers?: Record<string, string>
  /** Names a known gap: this reply is expected without the version header. */
  gap?: string
}

/** One client per app and transport; it keeps every reply for the assertions on all of them. */
export interface Client {
  readonly transport: Transport
  /** `ws://` or `wss://` origin of the server; undefined for inject. */
  readonly webSocketOrigin: string | undefined
  readonly replies: Reply[]
  request (opts: RequestOptions): Promise<Reply>
  close (): Promise<void>
}

type Send = (method: string, path: string, headers: Record<string, string>) => Promise<Omit<Reply, 'method' | 'path' | 'gap'>>

function recording (transport: Transport, webSocketOrigin: string | undefined, send: Send, close: () => Promise<void>): Client {
  const replies: Reply[] = []
  return {
    transport,
    webSocketOrigin,
    replies,
    async request ({ method = 'GET', path, headers = {}, gap }) {
      const answer = await send(method, path, headers)
      const reply: Reply = { method, path, ...answer, ...(gap !== undefined && { gap }) }
      replies.push(reply)
      return reply
    },
    close
  }
}

const flat = (headers: Record<string, string | string[] | number | undefined>): Record<string, string | undefined> =>
  Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : value?.toString()]))

/**
 * Listens on 127.0.0.1 (port 0), or only readies the app for inject (as a test would before
 * @fastify/websocket's injectWS, which does not ready it), and returns a client for it.
 */
export async function connectClient (app: FastifyInstance, transport: Transport): Promise<Client> {
  if (transport === 'inject') {
    await app.ready()
    return injectClient(app)
  }
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  if (transport === 'http2') return http2Client(port)
  const tls = transport === 'https'
  const dispatcher = new Agent({ connections: 1, ...(tls && { connect: { ca: selfSignedCert().cert } }) })
  const origin = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`
  return recording(transport, `${tls ? 'wss' : 'ws'}://127.0.0.1:${port}`, async (method, path, headers) => {
    const res = await request(new URL(path, origin), { method, headers, dispatcher })
    return { status: res.statusCode, headers: flat(res.headers), body: Buffer.from(await res.body.arrayBuffer()) }
  }, () => dispatcher.close())
}

function injectClient (app: FastifyInstance): Client {
  return recording('inject', undefined, async (method, path, headers) => {
    const res = await app.inject({ method: method as 'GET', url: path, headers })
    return { status: res.statusCode, headers: flat(res.headers), body: res.rawPayload }
  }, async () => {})
}

async function http2Client (port: number): Promise<Client> {
  const session = connect(`https://127.0.0.1:${port}`, { ca: selfSignedCert().cert })
  await new Promise<void>((resolve, reject) => session.once('connect', () => resolve()).once('error', reject))
  if (session.alpnProtocol !== 'h2') throw new Error(`expected HTTP/2 (ALPN h2), got ${String(session.alpnProtocol)}`)
  return recording('http2', `wss://127.0.0.1:${port}`, (method, path, headers) => http2Request(session, method, path, headers),
    () => new Promise<void>((resolve) => session.close(() => resolve())))
}

type Headers = Record<string, string>

function http2Request (session: ClientHttp2Session, method: string, path: string, headers: Headers): ReturnType<Send> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':method': method, ':path': path, ...headers }, { endStream: true })
    const chunks: Buffer[] = []
    let head: IncomingHttpHeaders = {}
    stream.on('response', (h) => { head = h })
    stream.on('data', (chunk: Buffer) => chunks.push(chunk))
    stream.on('error', reject)
    stream.on('end', () => {
      const { ':status': status, ...rest } = head
      resolve({ status: Number(status), headers: flat(rest), body: Buffer.concat(chunks) })
    })
  })
}
