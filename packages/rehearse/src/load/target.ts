// Where the load is sent: the rehearsal's own traffic path on this machine's loopback (a TrafficProxy),
// which says which pod each connection went to, or a real Service or load balancer by its URL (--cluster).
import type { Attribution } from '../traffic/endpoints.js'

export interface LoadTarget {
  /** `http://host:port`, without a path. */
  readonly origin: string
  /** Which pod served the request that went over the client's `clientPort`, when the target knows. */
  attribute: (clientPort: number, headers?: Record<string, string | string[] | undefined>) => Attribution
}

/** A URL's origin; a real Service does not say which pod answered. */
export function urlTarget (url: string): LoadTarget {
  return { origin: new URL(url).origin, attribute: () => ({}) }
}
