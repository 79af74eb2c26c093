import type { FastifyInstance } from 'fastify'
import type { Test } from 'tap'
import type { Client } from './transports.js'

/** Where the ecosystem plugin goes, relative to the three zerodown plugins (registered at the root). */
export const ORDERS = ['before', 'after'] as const
export type Order = typeof ORDERS[number]
/** At the root, or in an encapsulated context with a route prefix. */
export const PLACES = ['root', 'prefix'] as const
export type Place = typeof PLACES[number]

export interface CheckContext {
  client: Client
  /** The instance the plugin was registered on: the root, or the encapsulated context. */
  scope: FastifyInstance
  /** The route prefix of that instance: '' at the root. */
  base: string
  order: Order
  place: Place
}

/** One ecosystem plugin of the matrix: how an app registers it, and what a user would check. */
export interface Entry {
  name: string
  /** Registers the plugin on `scope`, with the routes that show its feature. */
  register (scope: FastifyInstance): Promise<void>
  /** Asserts that the plugin's own feature works, through the client. */
  check (t: Test, ctx: CheckContext): Promise<void>
  /** Paths the drain test loads, through the plugin's feature (default: the common `/hello`). */
  drainPaths?: string[]
  /**
   * Before the drain test's SIGTERM: opens what the plugin keeps open (a WebSocket), and returns
   * the assertions on how it ended, run once the process has exited.
   */
  beforeSignal? (t: Test, origin: string): Promise<() => Promise<void>>
}
