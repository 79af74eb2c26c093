import underPressure from '@fastify/under-pressure'
import type { FastifyInstance } from 'fastify'
import type { ResolvedPressure } from './options.js'

/** A pressure handler that lets the request through: for probes, and for user routes unless rejected. */
export const letThrough = (): undefined => undefined

/**
 * Watches pressure through @fastify/under-pressure and returns how to ask "under pressure now?".
 * Reuses an under-pressure the app registered itself (its thresholds then apply).
 */
export async function watchPressure (app: FastifyInstance, pressure: ResolvedPressure | false): Promise<() => boolean> {
  if (pressure === false) return () => false
  if (!app.hasDecorator('isUnderPressure')) {
    await app.register(underPressure, {
      maxEventLoopDelay: pressure.maxEventLoopDelay,
      maxEventLoopUtilization: pressure.maxEventLoopUtilization,
      eventLoopUtilizationMode: 'interval',
      maxHeapUsedBytes: pressure.maxHeapUsedBytes,
      maxRssBytes: pressure.maxRssBytes,
      sampleInterval: pressure.sampleInterval,
      retryAfter: pressure.retryAfter,
      // Without a handler, under-pressure answers 503 + Retry-After; a route's own handler wins.
      ...(!pressure.rejectRequests && { pressureHandler: letThrough })
    })
  }
  return () => app.isUnderPressure()
}
