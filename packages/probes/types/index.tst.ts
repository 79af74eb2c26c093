import Fastify from 'fastify'
import { expect } from 'tstyche'
import zerodownProbes, { type LifecycleState, type Probes, type ProbesOptions } from '../src/index.js'

const app = Fastify()
app.register(zerodownProbes, {
  paths: { liveness: '/live', readiness: '/ready', startup: false },
  checks: [{ name: 'db', check: async ({ signal }) => { expect(signal).type.toBe<AbortSignal>() }, timeout: 300, critical: false }],
  checkTimeout: 500,
  cacheTtl: 0,
  verbose: true,
  logRequests: false,
  pressure: { maxEventLoopDelay: 1000, rejectRequests: true, retryAfter: 10 },
  port: 9000,
  host: '0.0.0.0'
})
app.register(zerodownProbes, { pressure: false })

expect<ProbesOptions>().type.not.toBeAssignableFrom({ port: '9000' })
expect<ProbesOptions>().type.not.toBeAssignableFrom({ paths: { readiness: true } })
expect<ProbesOptions>().type.not.toBeAssignableFrom({ checks: [{ name: 'db' }] })
expect<ProbesOptions>().type.not.toBeAssignableFrom({ pressure: { maxEventLoopDelay: '1s' } })

expect(app.probes).type.toBe<Probes>()
expect(app.probes.state).type.toBe<LifecycleState>()
expect(app.probes.port).type.toBe<number | undefined>()
expect(app.probes.addCheck('queue', () => true, { timeout: 100, critical: true })).type.toBe<void>()
expect(app.probes.addStartupWork(Promise.resolve())).type.toBe<void>()
expect(app.probes.addStartupWork).type.not.toBeCallableWith('later')
// @ts-expect-error Cannot assign to 'state' because it is a read-only property
app.probes.state = 'ready'
expect(app.isUnderPressure()).type.toBe<boolean>()
