import fastifyWebsocket from '@fastify/websocket'
import type { FastifyInstance } from 'fastify'
import { WEBSOCKET_CLOSE_CODE } from '@zerodown/shutdown'
import WebSocket from 'ws'
import { VERSION } from '../app.js'
import type { Entry } from '../entry.js'
import { handshakeGap } from '../gaps.js'
import { selfSignedCert } from '../tls.js'

interface Echo {
  /** The 101 handshake's headers, as the client (or, with inject, the server's `ws`) saw them. */
  headers: Record<string, string | undefined>
  echoed: string
}

/** A real `ws` client: opens, sends one message, reads it back, closes. */
export function echoOverNetwork (url: string): Promise<Echo> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { ca: selfSignedCert().cert })
    let headers: Echo['headers'] = {}
    ws.on('upgrade', (res) => { headers = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, String(v)])) })
    ws.on('open', () => ws.send('ping'))
    ws.on('message', (data: Buffer) => {
      ws.close()
      resolve({ headers, echoed: data.toString() })
    })
    ws.on('unexpected-response', (req, res) => {
      req.destroy()
      reject(new Error(`WebSocket handshake answered ${String(res.statusCode)}`))
    })
    ws.on('error', reject)
  })
}

/** @fastify/websocket's injectWS; the handshake's lines are read where `ws` writes them. */
async function echoInjected (scope: FastifyInstance, path: string): Promise<Echo> {
  let lines: string[] = []
  scope.websocketServer.once('headers', (written: string[]) => { lines = [...written] })
  const ws = await scope.injectWS(path)
  const echoed = await new Promise<string>((resolve) => {
    ws.once('message', (data: Buffer) => resolve(data.toString()))
    ws.send('ping')
  })
  ws.terminate()
  const headers = Object.fromEntries(lines.slice(1).map((line) => {
    const at = line.indexOf(':')
    return [line.slice(0, at).toLowerCase(), line.slice(at + 1).trim()]
  }))
  return { headers, echoed }
}

export const websocket: Entry = {
  name: '@fastify/websocket',
  async register (scope) {
    await scope.register(fastifyWebsocket)
    scope.get('/echo', { websocket: true }, (socket) => {
      socket.on('message', (data: Buffer) => socket.send(data.toString()))
    })
  },
  async check (t, { client, scope, base, order, place }) {
    const path = `${base}/echo`
    const echo = client.webSocketOrigin === undefined
      ? await echoInjected(scope, path)
      : await echoOverNetwork(client.webSocketOrigin + path)
    t.equal(echo.echoed, 'ping', 'a real WebSocket client gets its message echoed')
    const gap = handshakeGap(order, place)
    const expected = gap === undefined ? VERSION : undefined
    t.equal(echo.headers['x-app-version'], expected, gap ?? 'the 101 handshake carries x-app-version')
    const plain = await client.request({ path })
    t.equal(plain.status, 404, 'a plain HTTP request to the WebSocket route: 404')
  },
  async beforeSignal (t, origin) {
    const ws = new WebSocket(`${origin.replace(/^http/, 'ws')}/echo`)
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)))
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))
    return async () => {
      t.equal(await closed, WEBSOCKET_CLOSE_CODE, 'a WebSocket open at SIGTERM is asked to go with 1012 during the drain')
    }
  }
}
