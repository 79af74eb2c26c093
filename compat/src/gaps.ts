import type { Order, Place } from './entry.js'

/**
 * The replies that go without `x-app-version`, each with why and the recipe that gives it back.
 * The matrix asserts the header is ABSENT from exactly these (so a fix shows up here as a failure
 * to update), and test/gaps.test.ts proves each recipe.
 */
export const GAPS = {
  hookReplyBeforeVersion:
    'a reply an onRequest hook sends itself (the CORS preflight), from a plugin registered before @zerodown/version: ' +
    'its hook runs before the one that sets the header (the version README, "Which replies carry the header"). ' +
    'Recipe: register @zerodown/version first, or give @fastify/cors hook: "preHandler"',
  webSocketContextBeforeVersion:
    'the 101 handshake of a WebSocket served by @fastify/websocket registered in an encapsulated context before ' +
    '@zerodown/version: the version plugin finds the ws server of contexts registered after it, and the root\'s. ' +
    'Recipe: register @zerodown/version before that context'
} as const

/** Which gap, if any, a CORS preflight falls into. */
export const preflightGap = (order: Order): string | undefined => order === 'before' ? GAPS.hookReplyBeforeVersion : undefined

/** Which gap, if any, a WebSocket handshake falls into. */
export const handshakeGap = (order: Order, place: Place): string | undefined =>
  order === 'before' && place === 'prefix' ? GAPS.webSocketContextBeforeVersion : undefined
