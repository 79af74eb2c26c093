// End to end: real pods of a fixture app, real signals, real keep-alive load through the Service.
import { fileURLToPath } from 'node:url'
import { test } from 'tap'
import { formatSummary, parseManifest, rehearse as rehearseOnce, RehearseCommandError, type RehearsalResult, type RehearseOptions } from '../src/index.js'
import { alivePids, FIXTURE, manifest, within, type ManifestTimings } from './fixtures/helpers.js'
import { parseShape, readmeBlock, shapeDifferences } from './fixtures/readme.js'

const BASELINE = fileURLToPath(new URL('../dist/baseline.js', import.meta.url))

/** Every result of this file, for the check of the README's result shape at the end. */
const results: RehearsalResult[] = []
const rehearse = async (options: RehearseOptions): Promise<RehearsalResult> => {
  const result = await within(rehearseOnce(options), 60_000, `the rehearsal of ${(options.command ?? []).join(' ')} ended`)
  results.push(result)
  return result
}

const LONG_LIVED_FIXTURE = fileURLToPath(new URL('./fixtures/long-lived-app.mjs', import.meta.url))

const fast = (dir: string, timings: ManifestTimings, extra: Partial<RehearseOptions> = {}): RehearseOptions => ({
  deployment: parseManifest(manifest(timings)),
  command: ['node', FIXTURE],
  env: { PID_DIR: dir },
  propagationDelayMs: 300,
  warmupMs: 300,
  tailMs: 300,
  restartBackoffMs: 200,
  load: { rate: 100, connections: 4, slowShare: 0.2, slowPath: '/work?ms=200' },
  ...extra
})

test('a well-behaved app rolls out with zero failed requests, and only v2 answers afterwards', async (t) => {
  const dir = t.testdir()
  // Probes on their own port (ZERODOWN_PROBE_PORT), as the deploy chart can render them: each pod gets its own.
  const result = await rehearse(fast(dir, { probePort: 9000, env: { GRACEFUL: '1', ZERODOWN_DRAIN_DELAY_MS: '400' } }))
  t.equal(result.outcome, 'complete')
  t.same(result.failures, { status: 0, reset: 0, refused: 0, timeout: 0 }, JSON.stringify(result.failedRequests.slice(0, 5)))
  t.equal(result.ok, true)
  t.ok(result.totals.requests > 50, `steady load was sent (${result.totals.requests})`)
  const served = new Set(result.versionsOverTime.flatMap((b) => Object.keys(b.byVersion)))
  t.same([...served].sort(), ['1.0.0', '2.0.0'], 'both versions served during the rollout')
  t.ok(result.afterRollout.requests > 0, 'load went on after the last old pod was gone')
  t.equal(result.afterRollout.otherVersion, 0, 'every request after the rollout was served by 2.0.0')
  // The controller's steps, replicas 3 / surge 1 / unavailable 0 (R2).
  t.same(result.rolloutEvents.filter((e) => e.kind === 'scaled').map((e) => e.detail),
    ['2.0.0 0 -> 1', '1.0.0 3 -> 2', '2.0.0 1 -> 2', '1.0.0 2 -> 1', '2.0.0 2 -> 3', '1.0.0 1 -> 0'])
  t.ok(result.maxLivePods >= 4, `surge: at least 4 pods alive at once (${result.maxLivePods})`)
  t.equal(result.pods.length, 6)
  for (const pod of result.pods.filter((p) => p.version === '1.0.0')) {
    t.equal(pod.exit, 'code 0', `${pod.name} drained and exited 0`)
    const events = result.podEvents.filter((e) => e.pod === pod.name).map((e) => e.kind)
    t.ok(events.indexOf('deleted') < events.indexOf('prestop-done') && events.indexOf('prestop-done') < events.indexOf('sigterm'), 'deleted, then preStop, then SIGTERM')
    t.notOk(events.includes('sigkill'))
  }
  t.ok(typeof result.rollout.durationMs === 'number' && result.rollout.durationMs > 0)
  t.same(alivePids(dir), [], 'no process left')
})

test('a new version that never gets ready ends as a stuck rollout, with its output and no orphans', async (t) => {
  const dir = t.testdir()
  const result = await rehearse(fast(dir, { progressDeadlineSeconds: 5, env: { GRACEFUL: '1', NEVER_READY_VERSION: '2.0.0' } }))
  t.equal(result.outcome, 'stuck')
  t.equal(result.ok, false)
  t.match(result.stuck?.reason, /ProgressDeadlineExceeded/)
  t.match(result.stuck?.pod, /./)
  t.equal(result.pods.find((p) => p.name === result.stuck?.pod)?.version, '2.0.0', 'the pod shown is the new one')
  t.match(result.stuck?.output.join('\n'), /fixture: listening at .* as 2\.0\.0/, "the stuck pod's output")
  t.equal(result.stuck?.lastProbeFailure, 'readiness: HTTP 503')
  t.equal(result.totals.failed, 0, 'maxUnavailable 0: the old pods kept serving')
  t.equal(result.rolloutEvents.filter((e) => e.kind === 'scaled').length, 1, 'one new pod, then nothing (R2)')
  t.same(alivePids(dir), [], 'no process left')
})

test('a command that cannot start is a coded error; one that exits at once is reported with its output', async (t) => {
  const dir = t.testdir()
  await t.rejects(rehearse(fast(dir, {}, { command: ['/nonexistent/zerodown-app'] })), RehearseCommandError)
  await t.rejects(rehearse(fast(dir, {}, { command: ['/nonexistent/zerodown-app'] })), /\/nonexistent\/zerodown-app cannot start: spawn .*ENOENT/)

  const result = await rehearse(fast(dir, { env: { EXIT_AT_ONCE: '1' } }))
  t.equal(result.outcome, 'stuck')
  t.match(result.stuck?.reason, /exited before it became ready/)
  t.match(result.stuck?.output.join('\n'), /exiting at once as asked/)
  t.equal(result.totals.requests, 0, 'no load without a running old version')
  t.same(alivePids(dir), [])
})

test('aborting a rehearsal kills every pod', async (t) => {
  const dir = t.testdir()
  const controller = new AbortController()
  const running = rehearse({ ...fast(dir, { env: { GRACEFUL: '1' } }), signal: controller.signal })
  setTimeout(() => controller.abort(), 1500)
  const result = await running
  t.equal(result.outcome, 'aborted')
  t.equal(result.ok, false)
  t.ok(result.pods.length >= 3)
  t.same(alivePids(dir), [], 'no process left')
})

/** The long-lived fixture (@fastify/websocket and @zerodown/shutdown) under WebSocket and SSE clients. */
const longLived = (dir: string, env: Record<string, string> = {}): RehearseOptions => ({
  ...fast(dir, { replicas: 2 }),
  command: ['node', LONG_LIVED_FIXTURE],
  env: { PID_DIR: dir, ZERODOWN_DRAIN_DELAY_MS: '400', ...env },
  load: {
    rate: 50,
    connections: 2,
    requests: [{ path: '/' }],
    longLived: [{ kind: 'websocket', path: '/ws', clients: 4, messageWithinMs: 500 }, { kind: 'sse', path: '/events', clients: 4, messageWithinMs: 500 }]
  }
})

test('long-lived clients: WebSockets closed with 1012 and event streams ended cleanly reconnect, and none fails', async (t) => {
  const dir = t.testdir()
  const result = await rehearse(longLived(dir))
  const l = result.longLived!
  t.comment(formatSummary(result).split('\n').filter((line) => line.includes('/ws') || line.includes('/events') || line.startsWith('long-lived')).join('\n'))
  t.equal(result.ok, true, JSON.stringify(l.failedConnections.slice(0, 3)))
  t.equal(l.failed, 0)
  const [ws, sse] = l.byEntry
  t.ok(ws!.asked >= 4 && Object.keys(ws!.askedCodes).every((code) => code === '1012'), `every WebSocket of the old pods was asked with 1012 (${JSON.stringify(ws!.askedCodes)})`)
  t.ok(sse!.asked >= 4, `every event stream of the old pods ended cleanly (${sse!.asked})`)
  t.ok(ws!.reconnected >= 4 && sse!.reconnected >= 4, `and the clients reconnected (${ws!.reconnected}, ${sse!.reconnected})`)
  t.ok(ws!.messages > 0 && sse!.messages > 0)
  t.match(formatSummary(result), /websocket \/ws: 4 clients, \d+ connections, \d+ asked to reconnect \(close 1012 ×\d+\), \d+ reconnected, \d+ messages, 0 failed/)
  t.match(formatSummary(result), /PASS: the rollout completed and none of \d+ requests and \d+ long-lived connections failed/)
  t.same(alivePids(dir), [], 'no process left')
})

test('long-lived clients: an app that exits on SIGTERM without the plugin\'s drain fails with abnormal closures and cut streams', async (t) => {
  const dir = t.testdir()
  const result = await rehearse(longLived(dir, { EXIT_ON_SIGTERM: '1' }))
  const l = result.longLived!
  t.equal(result.outcome, 'complete')
  t.equal(result.ok, false)
  t.ok(l.failures.abnormal >= 4, `WebSockets closed without a close frame (${l.failures.abnormal})`)
  t.ok(l.failures.cut >= 4, `event streams cut (${l.failures.cut})`)
  t.equal(l.asked, 0, 'no client was asked to reconnect')
  t.match(l.failedConnections.find((c) => c.kind === 'websocket'), { outcome: 'abnormal', code: 1006 }, 'the first failed WebSocket closed abnormally (an SSE cut may be listed before it)')
  t.match(formatSummary(result), /FAIL: .*\d+ of \d+ long-lived connections failed/)
  t.match(formatSummary(result), /at [\d.]+ s websocket \/ws, tried at [\d.]+ s: abnormal \(code 1006/)
  t.same(alivePids(dir), [], 'no process left')
})

test('the naive baseline fails on every run: a slow request is in flight on each old pod when its SIGTERM arrives', async (t) => {
  // Every request takes 400 ms and each of the 4 connections sends its next one as the last ends: a
  // connection is never idle, and the Service spread them over the 3 old pods, which never close them.
  const slow = { requests: [{ path: '/slow' }], connections: 4, rate: 100 }
  const answers = JSON.stringify({ 'GET /slow': { status: 200, ms: 400 } })
  for (let run = 1; run <= 3; run++) {
    const dir = t.testdir()
    const result = await rehearse(fast(dir, { grace: 1 }, { command: ['node', BASELINE], env: { ZERODOWN_BASELINE_ANSWERS: answers }, load: slow }))
    t.equal(result.outcome, 'complete', `run ${run}: the baseline rolled out`)
    t.equal(result.ok, false, `run ${run}: the baseline failed`)
    const old = result.pods.filter((p) => p.version === '1.0.0').map((p) => p.name)
    t.same(old.filter((pod) => !(result.inFlightAtSigterm.byPod[pod]! > 0)), [], `run ${run}: every old pod had requests in flight at SIGTERM ${JSON.stringify(result.inFlightAtSigterm.byPod)}`)
    t.ok(result.failures.reset >= old.length, `run ${run}: at least one reset per old pod (${JSON.stringify(result.failures)})`)
    // On the host SIGTERM ends it; as PID 1 (R10) it ignores SIGTERM and the SIGKILL ends it.
    t.ok(result.pods.filter((p) => old.includes(p.name)).every((p) => /^signal SIG(TERM|KILL)$/.test(p.exit ?? '')), `run ${run}: each old pod was killed, not drained`)
  }
})

test('the README\'s result shape is the shape of every result above, key for key', async (t) => {
  t.ok(results.length >= 4, `the rehearsals above ran (${results.length})`)
  t.ok(results.some((r) => r.stuck?.lastProbeFailure !== undefined), 'a stuck result with its last probe failure is among them')
  const shape = parseShape(readmeBlock('ts'))
  t.same([...new Set(results.flatMap((r) => shapeDifferences(shape, r)))], [])
})
