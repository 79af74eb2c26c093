import type { EventEmitter } from 'node:events'
import type { FastifyInstance, RouteHandlerMethod, RouteOptions } from 'fastify'
import type { HeaderOn } from './options.js'

/**
 * Puts `name: value` on the replies `on` names, without touching any route's handler in the
 * default mode.
 *
 * "all" (default) sets it in an `onRequest` hook, on Fastify's reply, before any handler runs: every
 * reply of the instance carries it (routes in any context, whenever registered, 404s, errors, replies
 * that later hooks send), and a handler may still set its own value. Counted with callgrind beside
 * bare Fastify setting the same header in its own onRequest hook (README, Cost per request), the
 * plugin adds under 1% of a hello-world request's instructions; the benchmarks' --budget holds it there.
 * An `onError` hook covers errors thrown by hooks that ran before it (only errors pay for it).
 *
 * "routes" (opt-in) sets it inside each route's handler, wrapped once when the route is registered,
 * and in the `onError` hook: no hook runs per successful request, but replies no route handler sends
 * (404s, hook replies) and routes registered before the plugin go without it. WebSocket routes keep
 * their handler: @fastify/websocket calls it with (socket, request), not (request, reply).
 *
 * Either way, the handshake of a WebSocket served by @fastify/websocket (a `101 Switching
 * Protocols` written by `ws`, not by Fastify) gets the header through `ws`' own `headers` event.
 */
export function addVersionHeader (app: FastifyInstance, name: string, value: string, on: HeaderOn): void {
  if (on === 'all') {
    app.addHook('onRequest', (_request, reply, done) => {
      reply.header(name, value)
      done()
    })
  } else {
    app.addHook('onRoute', (route) => {
      if (isWebSocketRoute(route)) return
      const handler = route.handler
      route.handler = function (this: FastifyInstance, request, reply) {
        reply.header(name, value)
        return handler.call(this, request, reply)
      } satisfies RouteHandlerMethod
    })
  }
  app.addHook('onError', (_request, reply, _error, done) => {
    reply.header(name, value)
    done()
  })
  addToWebSocketHandshakes(app, `${name}: ${value}`)
}

/** A route @fastify/websocket serves: its handler is called with (socket, request). */
function isWebSocketRoute (route: RouteOptions): boolean {
  const options = route as RouteOptions & { websocket?: unknown, wsHandler?: unknown }
  return options.websocket === true || typeof options.wsHandler === 'function'
}

/**
 * Adds the header line to the handshake responses of @fastify/websocket's `ws` server, found on the
 * instance where a WebSocket route is registered (so in any encapsulated context) or at the root
 * once ready. Work at registration only: `ws` emits `headers` once per handshake.
 */
function addToWebSocketHandshakes (app: FastifyInstance, line: string): void {
  const seen = new WeakSet<object>()
  const addTo = (instance: FastifyInstance): void => {
    const wss = (instance as FastifyInstance & { websocketServer?: Partial<EventEmitter> }).websocketServer
    if (typeof wss?.on !== 'function' || seen.has(wss)) return
    seen.add(wss)
    wss.on('headers', (headers: string[]) => { headers.push(line) })
  }
  app.addHook('onRoute', function (this: FastifyInstance, route) {
    if (isWebSocketRoute(route)) addTo(this)
  })
  app.addHook('onReady', function (this: FastifyInstance, done) {
    addTo(this)
    done()
  })
}
