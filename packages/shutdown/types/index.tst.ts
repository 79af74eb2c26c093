import Fastify from 'fastify'
import { expect } from 'tstyche'
import zerodownShutdown, { zerodownShutdown as named, type Lifecycle, type LifecycleState, type ShutdownOptions } from '../src/index.js'

const app = Fastify()
app.register(zerodownShutdown, { drainDelay: 5000, timeout: 20_000, signals: ['SIGTERM', 'SIGINT'], exit: false, env: process.env })
app.register(named)
app.register(zerodownShutdown)

expect<ShutdownOptions>().type.toBeAssignableFrom({ drainDelay: 0 })
expect<ShutdownOptions>().type.not.toBeAssignableFrom({ drainDelay: '5s' })
expect<ShutdownOptions>().type.not.toBeAssignableFrom({ signals: ['SIGKILL'] })
expect<ShutdownOptions>().type.not.toBeAssignableFrom({ exit: 'no' })
expect<ShutdownOptions>().type.not.toBeAssignableFrom({ drainDelays: 1 })

expect(app.lifecycle).type.toBe<Lifecycle>()
expect(app.lifecycle.state).type.toBe<LifecycleState>()
expect<LifecycleState>().type.toBe<'starting' | 'ready' | 'draining' | 'closing' | 'closed'>()
expect(app.lifecycle.onChange((state, previous) => {
  expect(state).type.toBe<LifecycleState>()
  expect(previous).type.toBe<LifecycleState>()
})).type.toBe<() => void>()
expect(app.lifecycle.addStartupWork(Promise.resolve())).type.toBe<void>()
expect(app.lifecycle).type.not.toHaveProperty('advance')
expect(app.lifecycle).type.not.toHaveProperty('listening')
// @ts-expect-error Cannot assign to 'state' because it is a read-only property
app.lifecycle.state = 'ready'

expect(app.shutdown()).type.toBe<Promise<void>>()
expect(app.shutdown('deploy')).type.toBe<Promise<void>>()
expect(app.shutdown).type.not.toBeCallableWith(1)

expect<ShutdownOptions>().type.toBeAssignableFrom({ eventStreamEnd: 'retry: 2000\n\n' })
expect<ShutdownOptions>().type.not.toBeAssignableFrom({ eventStreamEnd: 2000 })
expect(app.shutdownSignals.draining).type.toBe<AbortSignal>()
expect(app.shutdownSignals.closing).type.toBe<AbortSignal>()
// @ts-expect-error Cannot assign to 'shutdownSignals' because it is a read-only property
app.shutdownSignals = { draining: new AbortController().signal, closing: new AbortController().signal }
expect(app.addLongLivedConnection(() => {})).type.toBe<() => void>()
expect(app.addLongLivedConnection(async () => {})).type.toBe<() => void>()
expect(app.addLongLivedConnection).type.not.toBeCallableWith('socket')
