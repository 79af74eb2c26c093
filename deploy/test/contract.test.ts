// The chart and the plugins read one contract: a value lint accepts starts every plugin, and a value
// a plugin would refuse at start is refused by lint first, in the plugin's words.
import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import Fastify from 'fastify'
import { test } from 'tap'
import { contractTable, forms, SETTINGS } from '@zerodown/contract'
import zerodownProbes from '@zerodown/probes'
import zerodownShutdown from '@zerodown/shutdown'
import zerodownVersion from '@zerodown/version'
import { chartEnv, defaultValues, lint, mergeValues, type Values, type ValuesOverride } from '../src/index.js'

/** The error message the three plugins stop with, given the pod environment the chart renders; undefined when they start. */
async function startError (overrides: ValuesOverride, cwd: string): Promise<string | undefined> {
  const values = mergeValues(defaultValues(), overrides) as Values
  const env = { ...Object.fromEntries(chartEnv(values).map(({ name, value }) => [name, value])), KUBERNETES_SERVICE_HOST: '10.96.0.1', HOSTNAME: 'shop-7d9c5b-x2x9q' }
  const app = Fastify({ logger: false })
  app.register(zerodownShutdown, { exit: false, env })
  app.register(zerodownProbes, { env, pressure: false })
  app.register(zerodownVersion, { env, cwd })
  try {
    await app.ready()
    return undefined
  } catch (err) {
    return (err as Error).message
  } finally {
    await app.close()
  }
}

const messages = (overrides: ValuesOverride): string[] => lint(overrides).map((p) => `${p.path}: ${p.message}`)

test('each hole at its limit and one past it: lint refuses exactly what the plugins refuse, in their words', async (t) => {
  const cwd = t.testdir({})
  const tight = (T: number): ValuesOverride => ({ shutdown: { timeoutSeconds: T }, terminationGracePeriodSeconds: T + 10 })
  const cases: Array<[string, ValuesOverride, boolean]> = [
    ['a timeout of setTimeout\'s limit in seconds', tight(2_147_483), true],
    ['a timeout one second past it', tight(2_147_484), false],
    ['a literal readiness path', { probes: { readiness: { path: '/ready-now' } } }, true],
    ['a readiness path with a query', { probes: { readiness: { path: '/r?x=1' } } }, false],
    ['a wildcard liveness path', { probes: { liveness: { path: '/*' } } }, false],
    ['a route parameter as the startup path', { probes: { startup: { path: '/:id' } } }, false],
    ['a path that is not ASCII', { probes: { startup: { path: '/é' } } }, false],
    [`a path of ${256} characters`, { probes: { startup: { path: `/${'s'.repeat(255)}` } } }, true],
    [`a path of ${257} characters`, { probes: { startup: { path: `/${'s'.repeat(256)}` } } }, false],
    ['the version plugin\'s route as a probe path', { probes: { liveness: { path: '/version' } } }, false]
  ]
  for (const [title, overrides, starts] of cases) {
    const stopped = await startError(overrides, cwd)
    t.equal(stopped === undefined, starts, `${title}: the plugins ${starts ? 'start' : 'stop'} (${stopped ?? 'started'})`)
    const problems = messages(overrides)
    t.equal(problems.length === 0, starts, `${title}: lint ${starts ? 'accepts' : 'refuses'} (${problems.join('; ') || 'no problems'})`)
    const variable = /environment variable (\w+) must be (.*), got /.exec(stopped ?? '')
    if (variable !== null) t.ok(problems.some((p) => p.includes(`environment variable ${variable[1]!} must be ${variable[2]!}`)), `${title}: lint says it in the plugin's words`)
  }
})

// Values that cross into the pod, from good to bad; the rest stays valid (the grace period and the
// probe timeout follow the generated timings) so that lint judges only what the plugins judge.
const path = fc.oneof(
  fc.constantFrom('/livez', '/readyz', '/startupz', '/version', '/', '/r?x=1', '/*', '/:id', '/é', '/a;b', '/a%20b', '/health/ready', `/${'a'.repeat(255)}`, `/${'a'.repeat(256)}`),
  fc.string({ maxLength: 6 }).map((s) => `/${s}`)
)
const generated = fc.record({
  d: fc.integer({ min: 0, max: 3_000_000 }),
  T: fc.integer({ min: 1, max: 3_000_000 }),
  checkTimeoutMs: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  probePort: fc.option(fc.integer({ min: 1, max: 65535 }).filter((port) => port !== 8080), { nil: null }),
  liveness: path,
  readiness: path,
  startup: path,
  tag: fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/).filter((tag) => tag !== 'latest')
}).map(({ d, T, checkTimeoutMs, probePort, liveness, readiness, startup, tag }): ValuesOverride => ({
  image: { tag },
  shutdown: { drainDelaySeconds: d, timeoutSeconds: T },
  terminationGracePeriodSeconds: 5 + T + 5,
  probes: {
    port: probePort,
    checkTimeoutMs,
    liveness: { path: liveness },
    readiness: { path: readiness, timeoutSeconds: Math.floor(checkTimeoutMs / 1000) + 1 },
    startup: { path: startup }
  }
}))

test('for generated values, lint accepts them if and only if the environment they render starts every plugin', async (t) => {
  const cwd = t.testdir({})
  await fc.assert(fc.asyncProperty(generated, async (overrides) => {
    const problems = messages(overrides)
    const stopped = await startError(overrides, cwd)
    if ((problems.length === 0) !== (stopped === undefined)) {
      throw new Error(`lint: ${problems.join('; ') || 'no problems'}\nplugins: ${stopped ?? 'started'}`)
    }
  }), { numRuns: 200 })
  t.pass('200 generated values, no disagreement')
})

test('the root README\'s contract table is the contract\'s, with the chart\'s defaults', async (t) => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
  const defaults = defaultValues() as unknown as Record<string, unknown>
  const chartDefault = (dotted: string): unknown => dotted.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], defaults)
  const table = contractTable(chartDefault)
  t.ok(readme.includes(table), `README.md holds the table @zerodown/contract gives (regenerate it with contractTable()):\n${table}`)
})

test('the chart renders every variable it owns with a value the contract parses', async (t) => {
  for (const { name, value } of chartEnv(defaultValues())) {
    const setting = Object.values(SETTINGS).find((s) => s.env === name)
    t.ok(setting?.form.parse?.(value) !== undefined, `${name}=${value}`)
  }
  t.ok(forms.literalPath.is(defaultValues().probes.readiness.path))
})
