// The verdict on every pod that had to go: how it ended, and when that was not clean, one sentence
// naming the likely cause and its last output. And on the host, nothing a pod started outlives it.
import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { test } from 'tap'
import { formatSummary, parseManifest, rehearse, type RehearseOptions } from '../src/index.js'
import { uncleanExit } from '../src/report/exits.js'
import { alivePids, FIXTURE, manifest, type ManifestTimings } from './fixtures/helpers.js'

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))

const run = (timings: ManifestTimings, extra: Partial<RehearseOptions>): Promise<Awaited<ReturnType<typeof rehearse>>> => rehearse({
  deployment: parseManifest(manifest({ replicas: 2, ...timings })),
  command: ['node', FIXTURE],
  propagationDelayMs: 300,
  warmupMs: 300,
  tailMs: 300,
  load: { rate: 40, connections: 2 },
  ...extra
})

test('an onClose hook that hangs fails the rehearsal, naming the hook, though no request failed', async (t) => {
  const result = await run({ preStop: 0.3, grace: 8, env: { ZERODOWN_DRAIN_DELAY_MS: '300', ZERODOWN_SHUTDOWN_TIMEOUT_MS: '1500' } }, { command: ['node', fixture('hung-close.mjs')] })
  t.equal(result.outcome, 'complete')
  t.equal(result.totals.failed, 0, 'no request failed')
  t.equal(result.ok, false, 'and yet the rehearsal fails')
  const old = result.pods.filter((p) => p.version === '1.0.0')
  t.equal(old.length, 2)
  for (const pod of old) {
    t.equal(pod.exit, 'code 1')
    t.equal(pod.unclean?.reason, 'deadline', pod.name)
    t.match(pod.unclean?.sentence, /exited with code 1, [\d.]+ s after SIGTERM, cut at its own shutdown deadline \(1500 ms\) with .*onClose.* still pending: likely an onClose hook that hangs/)
    t.ok(pod.unclean!.output.some((line) => line.includes('shutdown: timeout of 1500 ms reached')), 'its last lines show the plugin\'s own words')
  }
  const summary = formatSummary(result)
  t.match(summary, /^FAIL: pod \S+ \(1\.0\.0\) exited with code 1, [\d.]+ s after SIGTERM, cut at its own shutdown deadline/m)
  t.match(summary, /^pods that had to go: \S+ code 1 at [\d.]+ s \([\d.]+ s after SIGTERM\); /m)
  t.match(summary, /^output of \S+ \(last \d+ lines\):\n {2}\| /m)
  const allowed = await run({ preStop: 0.3, grace: 8, env: { ZERODOWN_DRAIN_DELAY_MS: '300', ZERODOWN_SHUTDOWN_TIMEOUT_MS: '1500' } }, { command: ['node', fixture('hung-close.mjs')], allowUncleanExits: true })
  t.equal(allowed.ok, true, 'allowed explicitly: it passes')
  t.match(formatSummary(allowed), /unclean: pod .* \(allowed with --allow-unclean-exits\)/)
})

test('npm start as PID 1 fails, naming npm: it does not wait for the app to drain', async (t) => {
  const result = await run({ preStop: 0.3, grace: 8, env: { GRACEFUL: '1', ZERODOWN_DRAIN_DELAY_MS: '2000' } }, { command: ['npm', 'start'], cwd: fixture('npm-app') })
  t.equal(result.outcome, 'complete', result.stuck?.reason ?? '')
  t.equal(result.ok, false)
  const unclean = result.pods.filter((p) => p.unclean !== undefined)
  t.ok(unclean.length >= 1, 'the old pods ended uncleanly')
  for (const pod of unclean) {
    t.equal(pod.unclean?.reason, 'before-drain')
    t.match(pod.unclean?.sentence, /before its 2\.0 s drain \(ZERODOWN_DRAIN_DELAY_MS\) had ended: npm as PID 1 does not wait for the app it started to drain on SIGTERM; start node directly/)
  }
})

test('the causes, each from the events and output alone', async (t) => {
  const pod = { name: 'p', version: '1', env: { ZERODOWN_DRAIN_DELAY_MS: '1000' }, output: [], command: ['node', 'server.js'] }
  const events = (exit: string, exitAt: number, extra: Array<{ at: number, kind: 'sigkill' }> = []): Parameters<typeof uncleanExit>[1] => [
    { at: 0, pod: 'p', kind: 'deleted' }, { at: 100, pod: 'p', kind: 'sigterm' }, ...extra.map((e) => ({ ...e, pod: 'p' })), { at: exitAt, pod: 'p', kind: 'exited', detail: exit }
  ]
  t.equal(uncleanExit(pod, events('code 0', 1200)), undefined, 'code 0 after the drain: clean')
  t.equal(uncleanExit(pod, events('code 0', 500))?.reason, 'before-drain')
  t.match(uncleanExit(pod, events('code 0', 500))?.sentence, /the app exits on SIGTERM at once instead of draining/)
  t.equal(uncleanExit({ ...pod, env: {} }, events('code 0', 500)), undefined, 'no drain in the contract: nothing to compare')
  t.equal(uncleanExit(pod, events('code 2', 1500))?.reason, 'exit-code')
  t.equal(uncleanExit(pod, events('signal SIGTERM', 150))?.reason, 'signal')
  t.match(uncleanExit(pod, events('signal SIGTERM', 150))?.sentence, /was ended by SIGTERM, 0\.1 s after SIGTERM: the app has no handler for it/)
  t.equal(uncleanExit(pod, events('signal SIGKILL', 9000, [{ at: 8000, kind: 'sigkill' }]))?.reason, 'killed')
  t.match(uncleanExit({ ...pod, command: ['node', '/usr/lib/node_modules/npm/bin/npm-cli.js', 'start'] }, events('code 1', 500))?.sentence, /npm as PID 1/)
  t.equal(uncleanExit(pod, [{ at: 0, pod: 'p', kind: 'exited', detail: 'code 1' }]), undefined, 'a pod that was never deleted is not judged here')
  t.equal(uncleanExit(pod, [...events('torn down', 500)]), undefined, 'torn down at the end: not its own ending')
})

test('on the host, a process a pod started detached does not outlive it', async (t) => {
  const dir = t.testdir()
  const result = await run({ preStop: 0.3, env: { GRACEFUL: '1', ZERODOWN_DRAIN_DELAY_MS: '300', PID_DIR: dir } }, { command: ['node', fixture('forking.mjs')], pidNamespace: false })
  t.equal(result.pid1, 'host')
  t.equal(result.outcome, 'complete', result.stuck?.reason ?? '')
  // Each pod wrote its own pid and its helper's: 4 pods, 8 processes, none left.
  t.equal(readdirSync(dir).length, 8, 'every pod and every helper wrote its pid')
  t.same(alivePids(dir), [], 'no process left, helpers included')
})
