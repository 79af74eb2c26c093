import underPressure, { type FastifyUnderPressureOptions } from '@fastify/under-pressure'
import type { FastifyInstance } from 'fastify'
import type { ResolvedPressure } from './options.js'

/** A pressure handler that lets the request through: for the probes, whatever the thresholds. */
export const letThrough = (): undefined => undefined

/**
 * Watches pressure through @fastify/under-pressure and returns how to ask "under pressure now?".
 * Reuses an under-pressure the app registered itself (its thresholds then apply).
 */
export async function watchPressure (app: FastifyInstance, pressure: ResolvedPressure | false): Promise<() => boolean> {
  if (pressure === false) return () => false
  if (app.hasDecorator('isUnderPressure')) return () => app.isUnderPressure()
  const options: FastifyUnderPressureOptions = {
    maxEventLoopDelay: pressure.maxEventLoopDelay,
    maxEventLoopUtilization: pressure.maxEventLoopUtilization,
    eventLoopUtilizationMode: 'interval',
    maxHeapUsedBytes: pressure.maxHeapUsedBytes,
    maxRssBytes: pressure.maxRssBytes,
    sampleInterval: pressure.sampleInterval,
    retryAfter: pressure.retryAfter
  }
  if (pressure.rejectRequests) {
    // Its onRequest hook answers 503 + Retry-After on every route of the app; a route's own handler wins.
    await app.register(underPressure, options)
    return () => app.isUnderPressure()
  }
  // Only watching: under-pressure lives in a scope of its own with no routes, so its onRequest hook
  // is on no request's path (there it would cost every request and decide nothing). Its readings
  // are still offered on the app, as under-pressure offers them.
  let watcher: FastifyInstance | undefined
  await app.register(async (scope) => {
    await scope.register(underPressure, options)
    watcher = scope
  })
  const { isUnderPressure, memoryUsage } = watcher!
  app.decorate('isUnderPressure', isUnderPressure)
  app.decorate('memoryUsage', memoryUsage)
  return isUnderPressure
}
