// Summary text, live progress and the HTML report, from a result with failures.
import { PassThrough } from 'node:stream'
import { test } from 'tap'
import { formatSummary, renderHtmlReport, type RehearsalResult } from '../src/index.js'
import { createProgressPrinter } from '../src/report/progress.js'

const failing: RehearsalResult = {
  ok: false,
  outcome: 'complete',
  scenario: 'rolling-update',
  versions: { old: '1.0.0', new: '2.0.0', final: '2.0.0' },
  pid1: 'pid-namespace',
  kubernetes: '1.20',
  killedAtGrace: [],
  deployment: {
    name: 'shop',
    replicas: 2,
    maxSurge: '25%',
    maxUnavailable: '25%',
    surge: 1,
    unavailable: 0,
    minReadySeconds: 0,
    progressDeadlineSeconds: 600,
    preStopSleepSeconds: 0,
    terminationGracePeriodSeconds: 30,
    propagationDelayMs: 5000,
    propagationDelayFrom: 'annotation',
    warnings: ['env DB_PASSWORD from Secret db: not in the manifest; pass it with --env']
  },
  traffic: { proxy: 'ingress', addDelayMs: 8000, removeDelayMs: 5000, client: { model: 'open', connections: 8, newConnectionClients: 0, rate: 100, burstMs: 250, retries: 1 }, retried: 3, proxyRetried: 0 },
  totals: { requests: 10, ok: 8, failed: 2 },
  failures: { status: 1, reset: 1, refused: 0, timeout: 0 },
  byRequest: [
    { method: 'GET', path: '/', sent: 8, ok: 7, failed: 1, failures: { status: 1, reset: 0, refused: 0, timeout: 0 }, failedStatuses: { 503: 1 }, latencyP50Ms: 2, okStatus: 200 },
    { method: 'POST', path: '/orders', sent: 2, ok: 1, failed: 1, failures: { status: 0, reset: 1, refused: 0, timeout: 0 }, failedStatuses: {}, latencyP50Ms: 9, okStatus: 201 }
  ],
  inFlightAtSigterm: { total: 0, byPod: { 'shop-a-1': 0 } },
  warnings: ['no request was in flight when a pod got SIGTERM: this rehearsal did not exercise the drain of in-flight requests; add a slower request'],
  latencyMs: { p50: 2, p99: 9, max: 9 },
  rollout: { startedAt: 1000, completedAt: 3000, durationMs: 2000 },
  maxLivePods: 3,
  afterRollout: { since: 3500, requests: 2, otherVersion: 1 },
  versionsOverTime: [{ at: 0, byVersion: { '1.0.0': 5 }, failures: 0 }, { at: 2000, byVersion: { '1.0.0': 1, '2.0.0': 2 }, failures: 2 }],
  failedRequests: [
    { at: 2100, end: 2105, method: 'GET', path: '/', request: 0, outcome: 'status', status: 503, version: '1.0.0', pod: 'shop-a-1' },
    { at: 2200, end: 2201, method: 'POST', path: '/orders', request: 1, outcome: 'reset', error: 'ECONNRESET', pod: 'shop-a-1' }
  ],
  pods: [{ name: 'shop-a-1', version: '1.0.0', port: 1, createdAt: 0, readyAt: 100, deletedAt: 2000, exitedAt: 2010, exit: 'signal SIGKILL', restarts: 0 }],
  podEvents: [
    { at: 0, pod: 'shop-a-1', kind: 'created' }, { at: 100, pod: 'shop-a-1', kind: 'ready' }, { at: 2000, pod: 'shop-a-1', kind: 'deleted' },
    { at: 2000, pod: 'shop-a-1', kind: 'sigterm' }, { at: 2005, pod: 'shop-a-1', kind: 'sigkill' }, { at: 2010, pod: 'shop-a-1', kind: 'exited', detail: 'signal SIGKILL' }
  ],
  rolloutEvents: [],
  durationMs: 4000
}

test('the summary names every kind of failure and what served after the rollout', async (t) => {
  const text = formatSummary(failing)
  t.match(text, /2 failed \(status 1, reset 1, refused 0, timeout 0\)/)
  t.match(text, /endpoint delay 5000 ms \(the annotation zerodown\.dev\/propagation-seconds\)/)
  t.match(text, /warning: env DB_PASSWORD from Secret db: not in the manifest; pass it with --env/)
  t.match(text, /at 2\.1 s GET \/: status 503 from 1\.0\.0/)
  t.match(text, /at 2\.2 s POST \/orders: reset \(ECONNRESET\)/)
  t.match(text, /\n {2}GET \/: 1 of 8 failed \(status 503 ×1\)\n {2}POST \/orders: 1 of 2 failed \(reset ×1\)\n/)
  t.match(text, /in flight at SIGTERM: 0 requests\n/)
  t.match(text, /warning: no request was in flight when a pod got SIGTERM/)
  t.match(text, /1 NOT served by 2\.0\.0/)
  t.match(text, /FAIL: 2 of 10 requests failed — GET \/: 1 of 8 failed \(status 503 ×1\); POST \/orders: 1 of 2 failed \(reset ×1\)\n$/)
  t.match(text, /traffic: ingress, endpoints added after 8000 ms and removed after 5000 ms; open loop, 8 connections, 100 req\/s in bursts every 250 ms, up to 1 client retries \(3 requests retried\); 0 requests retried by the proxy on another endpoint\n/)
  const retriedByProxy = { ...failing, totals: { requests: 10, ok: 10, failed: 0 }, byRequest: [], failedRequests: [], traffic: { ...failing.traffic, proxyRetried: 2 } }
  t.match(formatSummary(retriedByProxy), /\nFAIL: the proxy retried 2 requests on another endpoint after a pod it still routed to refused them \(in a cluster that pod's address stops answering and the proxy waits its connect timeout first\)\n$/)
  t.notMatch(text, /sweep/)
  const swept = formatSummary({ ...failing, sweep: { runs: [{ removeDelayMs: 2000, ok: true, failed: 0, outcome: 'complete' }, { removeDelayMs: 2500, ok: false, failed: 4, outcome: 'complete' }], marginMs: 2000, stoppedBy: 'failure' } })
  t.match(swept, /sweep of the removal delay \(ms\): 2000 ok, 2500 FAIL \(4 failed\) -> safety margin 2000 ms\n$/)
  t.match(formatSummary({ ...failing, sweep: { runs: [{ removeDelayMs: 2000, ok: false, failed: 0, outcome: 'stuck' }], stoppedBy: 'failure' } }), /2000 FAIL \(stuck\) -> no removal delay passed: no safety margin/)
  t.match(formatSummary({ ...failing, sweep: { runs: [{ removeDelayMs: 2000, ok: true, failed: 0, outcome: 'complete' }], marginMs: 2000, stoppedBy: 'max-runs' } }), /safety margin 2000 ms or more/)
  t.match(formatSummary({ ...failing, deployment: { ...failing.deployment, propagationDelayFrom: 'option' } }), /endpoint delay 5000 ms \(--propagation-delay-ms\)/)
  t.match(formatSummary({ ...failing, inFlightAtSigterm: { total: 3, byPod: { 'shop-a-1': 3, 'shop-a-2': 0 } } }), /in flight at SIGTERM: 3 requests \(shop-a-1 3\)\n/)
})

test('a pod SIGKILLed at the end of its grace period fails the rehearsal in plain words, even with no failed request', async (t) => {
  const killed = { pod: 'shop-a-1', version: '1.0.0', signal: 'SIGTERM', graceSeconds: 8, at: 10_000 }
  const clean = { ...failing, totals: { requests: 10, ok: 10, failed: 0 }, byRequest: [], failedRequests: [], killedAtGrace: [killed], containers: { engine: 'podman', oldImage: 'localhost/shop:1', newImage: 'localhost/shop:2', runId: 'r1' } }
  const text = formatSummary(clean)
  t.match(text, /\ncontainers: podman, localhost\/shop:1 -> localhost\/shop:2, label zerodown\.rehearse=r1\n/)
  t.match(text, /\nkilled: pod shop-a-1 \(1\.0\.0\) did not exit on SIGTERM: killed with SIGKILL at the end of the 8 s grace period; its app never received SIGTERM .* or ignored it/)
  t.match(text, /\nFAIL: pod shop-a-1 \(1\.0\.0\) did not exit on SIGTERM: killed with SIGKILL/)
  t.match(formatSummary({ ...failing, killedAtGrace: [killed] }), /\nFAIL: 2 of 10 requests failed — .*; 1 pod killed with SIGKILL at the end of its grace period\n$/)
})

test('the HTML report draws failures in red, the pod timeline with SIGKILL, and escapes text', async (t) => {
  const html = renderHtmlReport({ ...failing, versions: { old: '1.0.0', new: '<2.0.0>', final: '<2.0.0>' } })
  t.match(html, /<rect [^>]*fill="#e15759"><title>2 failed at 2s<\/title>/)
  t.match(html, /<title>SIGKILL<\/title>/)
  t.match(html, /rollout starts/)
  t.match(html, /&#60;2\.0\.0&#62;/)
  t.notMatch(html, /<2\.0\.0>/)
  t.match(html, /FAIL/)
  t.notMatch(html, /Removal delay sweep/)
  const swept = renderHtmlReport({ ...failing, sweep: { runs: [{ removeDelayMs: 2000, ok: true, failed: 0, outcome: 'complete' }, { removeDelayMs: 2500, ok: false, failed: 4, outcome: 'complete' }], marginMs: 2000, stoppedBy: 'failure' } })
  t.match(swept, /<h2>Removal delay sweep<\/h2>\n<p class="pass">Safety margin: the rollout passed with endpoints removed up to 2000 ms after deletion\.<\/p>/)
  t.match(swept, /<td>2500 ms<\/td><td class="fail">FAIL \(4 failed\)<\/td>/)
})

test('live progress redraws in place', async (t) => {
  const stream = new PassThrough()
  let out = ''
  stream.on('data', (chunk) => { out += chunk })
  const print = createProgressPrinter(stream as unknown as NodeJS.WriteStream)
  const progress = { at: 1500, phase: 'rollout' as const, requests: 42, failures: 1, byVersion: { '1.0.0': 41 }, pods: [{ name: 'p1', version: '1.0.0', state: 'ready', restarts: 2 }] }
  print(progress)
  t.equal(out, '[1.5 s] rollout  requests 42  failed 1  1.0.0: 41\n  p1  1.0.0  ready  restarts 2\n')
  out = ''
  print({ ...progress, pods: [] })
  t.ok(out.startsWith('\x1b[2A\x1b[0J'), 'moves up over the two lines drawn before and clears them')
})
