import { readFileSync } from 'node:fs'
import Fastify, { type FastifyInstance } from 'fastify'
import { test, type Test } from 'tap'
import { LIFECYCLE_DECORATOR } from '@zerodown/shutdown/lifecycle'
import { Agent } from 'undici'
import { send, startKeepAliveLoad } from '@zerodown/testkit'
import zerodownProbes, { type ProbesOptions } from '../src/index.js'

async function listen (t: Test, opts: ProbesOptions): Promise<{ app: FastifyInstance, origin: string }> {
  const app = Fastify()
  t.teardown(() => app.close())
  // These tests read the details with ?verbose on the main port, where an option must allow it.
  await app.register(zerodownProbes, { verboseQuery: true, ...opts })
  app.get('/', async () => ({ hello: 'world' }))
  const origin = await app.listen({ port: 0, host: '127.0.0.1' })
  return { app, origin }
}

function watchUnhandled (t: Test): unknown[] {
  const seen: unknown[] = []
  const onUnhandled = (reason: unknown): void => { seen.push(reason) }
  process.on('unhandledRejection', onUnhandled)
  process.on('uncaughtException', onUnhandled)
  t.teardown(() => {
    process.off('unhandledRejection', onUnhandled)
    process.off('uncaughtException', onUnhandled)
  })
  return seen
}

const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

test('a hanging check: readiness answers 503 within its timeout plus a margin, user traffic goes on', async (t) => {
  const timeout = 200
  const { origin } = await listen(t, { checks: [{ name: 'db', check: () => new Promise(() => {}), timeout }] })
  const load = startKeepAliveLoad({ origin, connections: 4, paths: ['/'] })
  const probe = new Agent({ connections: 1 })
  t.teardown(() => probe.close())
  while (load.records.length === 0) await tick(10)
  const res = await send(probe, origin, '/readyz?verbose', 5000)
  const during = load.records.filter((r) => r.start >= res.start && r.end <= res.end)
  const records = await load.stop()

  t.equal(res.status, 503, 'readiness fails')
  const took = res.end - res.start
  t.ok(took >= timeout - 5, `waited for the check's timeout (${Math.round(took)} ms)`)
  t.ok(took < timeout + 800, `answered within the timeout plus a margin (${Math.round(took)} ms)`)
  t.ok(during.length > 0, `user requests completed while the check hung (${during.length})`)
  t.ok(records.every((r) => r.status === 200), 'every user request got 200')
})

test('a throwing, rejecting or false check fails readiness without an unhandled rejection', async (t) => {
  const unhandled = watchUnhandled(t)
  const cases: Array<[string, () => unknown, string]> = [
    ['throws', () => { throw new Error('boom') }, 'threw an error'],
    ['rejects', () => Promise.reject(new Error('nope')), 'threw an error'],
    // eslint-disable-next-line prefer-promise-reject-errors -- a check may reject with anything
    ['rejects with a non-error', () => Promise.reject('plain string'), 'threw an error'],
    ['returns false', () => false, 'returned false'],
    ['resolves false', async () => false, 'returned false']
  ]
  for (const [title, check, message] of cases) {
    const { app } = await listen(t, { checks: [{ name: 'dep', check }] })
    const res = await app.inject('/readyz?verbose')
    t.equal(res.statusCode, 503, `${title}: 503`)
    t.match(res.json().checks, [{ name: 'dep', status: 'fail', message }], `${title}: says why, without internals`)
    t.equal((await app.inject('/livez')).statusCode, 200, `${title}: liveness unaffected`)
  }
  await tick(20)
  t.same(unhandled, [], 'no unhandled rejection or exception')
})

test('a check passes when it returns or resolves anything but false', async (t) => {
  for (const check of [() => undefined, () => true, async () => ({ rows: 1 }), () => 0, () => null]) {
    const { app } = await listen(t, { checks: [{ name: 'dep', check }] })
    t.equal((await app.inject('/readyz')).statusCode, 200)
  }
})

test('50 concurrent probes share one run of the check', async (t) => {
  let calls = 0
  const { app } = await listen(t, {
    cacheTtl: 200,
    checks: [{ name: 'db', check: async () => { calls++; await tick(50) } }]
  })
  const answers = await Promise.all(Array.from({ length: 50 }, () => app.inject('/readyz')))
  t.ok(answers.every((res) => res.statusCode === 200), 'all 50 answered 200')
  t.equal(calls, 1, 'the check ran once')

  await app.inject('/readyz')
  t.equal(calls, 1, 'a probe within cacheTtl reuses the result')
  await tick(250)
  await app.inject('/readyz')
  t.equal(calls, 2, 'after cacheTtl the check runs again')
})

test('cacheTtl 0 runs the check for every probe, still one at a time', async (t) => {
  let calls = 0
  const { app } = await listen(t, { cacheTtl: 0, checks: [{ name: 'db', check: async () => { calls++; await tick(20) } }] })
  await Promise.all(Array.from({ length: 10 }, () => app.inject('/readyz')))
  t.equal(calls, 1, 'concurrent probes still share the run')
  await app.inject('/readyz')
  await app.inject('/readyz')
  t.equal(calls, 3, 'sequential probes each run it')
})

test('a check that ignores its timeout is not started again while it hangs; its signal aborts', async (t) => {
  let calls = 0
  let signal: AbortSignal | undefined
  let release!: () => void
  let hang = true
  const { app } = await listen(t, {
    cacheTtl: 0,
    checks: [{
      name: 'db',
      timeout: 50,
      check: (ctx) => {
        calls++
        signal = ctx.signal
        return hang ? new Promise<void>((resolve) => { release = resolve }) : undefined
      }
    }]
  })
  t.equal((await app.inject('/readyz')).statusCode, 503)
  t.equal(signal?.aborted, true, 'the check was told to give up')
  t.equal((await app.inject('/readyz')).statusCode, 503)
  t.equal(calls, 1, 'no second call piled onto the hanging one')
  hang = false
  release()
  await tick(10)
  t.equal((await app.inject('/readyz')).statusCode, 200, 'the call settled: the next probe runs the check again')
  t.equal(calls, 2)
})

test('a failing non-critical check does not fail readiness', async (t) => {
  const { app } = await listen(t, {
    checks: [{ name: 'metrics', check: () => false, critical: false }, { name: 'db', check: () => true }]
  })
  const res = await app.inject('/readyz?verbose')
  t.equal(res.statusCode, 200)
  t.match(res.json().checks, [{ name: 'metrics', status: 'fail', critical: false }, { name: 'db', status: 'pass', critical: true }])
})

test('the default check timeout is below 1 s and configurable', async (t) => {
  const { app } = await listen(t, { checks: [{ name: 'slow', check: () => new Promise(() => {}) }] })
  const res = await app.inject('/readyz?verbose')
  t.match(res.json().checks, [{ message: 'timed out after 500 ms' }])
  const custom = await listen(t, { checkTimeout: 30, checks: [{ name: 'slow', check: () => new Promise(() => {}) }] })
  t.match((await custom.app.inject('/readyz?verbose')).json().checks, [{ message: 'timed out after 30 ms' }])
})

test('a check timeout: a check settling before it passes, one settling after it fails', async (t) => {
  const settlesIn = (ms: number) => () => new Promise((resolve) => setTimeout(resolve, ms))
  const { app } = await listen(t, {
    cacheTtl: 0,
    checks: [{ name: 'inside', check: settlesIn(100), timeout: 250 }, { name: 'past', check: settlesIn(400), timeout: 250 }]
  })
  const res = await app.inject('/readyz?verbose')
  t.equal(res.statusCode, 503)
  t.match(res.json().checks, [{ name: 'inside', status: 'pass' }, { name: 'past', status: 'fail', message: 'timed out after 250 ms' }])
})

test('draining that begins while checks run fails that very probe', async (t) => {
  const lifecycle = { state: 'ready', onChange: () => () => {}, addStartupWork: () => {} }
  const app = Fastify()
  t.teardown(() => app.close())
  app.decorate(LIFECYCLE_DECORATOR, { getter: () => lifecycle })
  await app.register(zerodownProbes, {
    checks: [{ name: 'db', check: async () => { await tick(30) } }]
  })
  const pending = app.inject('/readyz')
  await tick(5)
  lifecycle.state = 'draining'
  t.equal((await pending).statusCode, 503)
})

test('close stops pending check timers and aborts running checks', async (t) => {
  let signal: AbortSignal | undefined
  const app = Fastify()
  await app.register(zerodownProbes, {
    checks: [{ name: 'db', timeout: 60_000, check: (ctx) => { signal = ctx.signal; return new Promise(() => {}) } }]
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const pending = app.inject('/readyz')
  await tick(10)
  await app.close()
  t.equal(signal?.aborted, true)
  const res = await pending
  t.equal(res.statusCode, 503, 'the probe in flight ends at once, failed, instead of waiting a minute')
  t.same(res.json(), { status: 'fail' }, 'answered by the probe, not by Fastify')
})

// The README lists the answers a failed check can give, and shows one verbose answer: both are
// produced here, so the README cannot drift from them.
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')

test('the README lists exactly the answers a failed check gives', async (t) => {
  const { app } = await listen(t, {
    cacheTtl: 0,
    checks: [
      { name: 'slow', check: () => new Promise(() => {}), timeout: 30 },
      { name: 'throws', check: () => { throw new Error('secret detail') } },
      { name: 'false', check: () => false }
    ]
  })
  const answers = (res: { json: () => { checks: Array<{ message?: string }> } }): string[] => res.json().checks.map((c) => c.message!)
  const seen = answers(await app.inject('/readyz?verbose'))
  const closing = Fastify()
  await closing.register(zerodownProbes, { verboseQuery: true, checks: [{ name: 'db', timeout: 60_000, check: () => new Promise(() => {}) }] })
  await closing.listen({ port: 0, host: '127.0.0.1' })
  const pending = closing.inject('/readyz?verbose')
  await tick(10)
  await closing.close()
  seen.push(...answers(await pending))

  const sentence = /answers only ever say ((?:`[^`]+`,?\s+(?:or\s+)?)+)/.exec(readme.replace(/\n/g, ' '))
  const listed = [...(sentence?.[1] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1]!.replace('N', '30'))
  t.same(listed.sort(), seen.sort(), `README: ${listed.join(' | ')}`)
})

test('the README\'s verbose readiness answer is the one a timed-out check gives', async (t) => {
  const sample = /^\$ curl 'localhost:9000\/readyz\?verbose'\n(.+)$/m.exec(readme)
  const shown = JSON.parse(sample?.[1] ?? 'null') as { checks: Array<{ durationMs: number }> }
  const { app } = await listen(t, { checks: [{ name: 'upstream', check: () => new Promise(() => {}), timeout: 300 }] })
  const real = (await app.inject('/readyz?verbose')).json() as typeof shown
  t.ok(real.checks[0]!.durationMs >= 300, 'it took at least the timeout')
  real.checks[0]!.durationMs = shown.checks[0]!.durationMs
  t.same(real, shown)
})
