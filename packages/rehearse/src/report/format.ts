// The final summary as text, for a terminal or a CI log.
import { requestLabel } from '../load/load-file.js'
import { killedSentence } from './killed.js'
import { formatLongLived } from './long-lived-summary.js'
import type { PodSummary, RehearsalResult, RequestSummary } from './summary.js'

const s = (ms: number | undefined): string => ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`

const DELAY_FROM = {
  option: '--propagation-delay-ms',
  annotation: 'the annotation zerodown.dev/propagation-seconds',
  default: 'the default; the chart renders zerodown.dev/propagation-seconds'
} as const

const PID1 = {
  'pid-namespace': 'a PID namespace',
  'user-namespace': 'a PID namespace in a user namespace',
  host: 'not modelled (plain process)',
  container: 'the image\'s own, in a container'
} as const

/** How one request failed: `GET /x: 120 of 120 failed (status 404 ×120)`. */
/** `traffic: kube-proxy, endpoints added after 2000 ms and removed after 2000 ms; closed loop, 8 connections, 100 req/s` */
function traffic (r: RehearsalResult): string {
  const t = r.traffic
  const c = t.client
  return `traffic: ${t.proxy}, endpoints added after ${t.addDelayMs} ms and removed after ${t.removeDelayMs} ms; ` +
    `${c.model} loop, ${c.connections} connections${c.newConnectionClients > 0 ? ` + ${c.newConnectionClients} clients opening a new connection per request` : ''}, ${c.rate} req/s${c.burstMs > 0 ? ` in bursts every ${c.burstMs} ms` : ''}` +
    (c.retries > 0 ? `, up to ${c.retries} client retries (${t.retried} requests retried)` : '') +
    (t.proxy !== 'kube-proxy' ? `; ${t.proxyRetried} requests retried by the proxy on another endpoint` : '')
}

/** `sweep: removal delay 2000 ok, 2500 ok, 3000 FAIL (12 failed) -> safety margin 2500 ms` */
export function formatSweep (r: RehearsalResult): string {
  if (r.sweep === undefined) return ''
  const runs = r.sweep.runs.map((run) => `${run.removeDelayMs} ${run.ok ? 'ok' : `FAIL (${run.outcome !== 'complete' ? run.outcome : `${run.failed} failed`})`}`).join(', ')
  const margin = r.sweep.marginMs === undefined
    ? 'no removal delay passed: no safety margin'
    : `safety margin ${r.sweep.marginMs} ms${r.sweep.stoppedBy === 'max-runs' ? ' or more (the sweep reached its last run)' : ''}`
  return `sweep of the removal delay (ms): ${runs} -> ${margin}\n`
}

function requestFailures (q: RequestSummary): string {
  const how = [
    ...Object.entries(q.failedStatuses).map(([status, n]) => `status ${status} ×${n}`),
    ...(['reset', 'refused', 'timeout'] as const).filter((k) => q.failures[k] > 0).map((k) => `${k} ×${q.failures[k]}`)
  ]
  return `${requestLabel(q)}: ${q.failed} of ${q.sent} failed (${how.join(', ')})`
}

export function formatSummary (r: RehearsalResult): string {
  const d = r.deployment
  const lines: string[] = []
  const what = r.scenario === 'rolling-update'
    ? `${r.versions.old} -> ${r.versions.new}`
    : r.scenario === 'rollback' ? `${r.versions.old} -> ${r.versions.new}, rolled back half way` : `${r.scenario} of ${r.versions.old}`
  lines.push(`rehearsal of ${d.name}: ${what}, ${d.replicas} replicas, ` +
    `maxSurge ${d.maxSurge} / maxUnavailable ${d.maxUnavailable} (surge ${d.surge}, unavailable ${d.unavailable}), ` +
    `preStop ${d.preStopSleepSeconds} s, grace ${d.terminationGracePeriodSeconds} s, ` +
    `endpoint delay ${d.propagationDelayMs} ms (${DELAY_FROM[d.propagationDelayFrom]}), PID 1: ${PID1[r.pid1]}` +
    (r.kubernetes === 'current' ? '' : `, Kubernetes ${r.kubernetes}`))
  lines.push(r.cluster === undefined
    ? traffic(r)
    : `cluster: ${r.cluster.context}, namespace ${r.cluster.namespace}; load sent to ${r.cluster.url}, ` +
    `${r.traffic.client.connections} connections${r.traffic.client.newConnectionClients > 0 ? ` + ${r.traffic.client.newConnectionClients} clients opening a new connection per request` : ''}, ${r.traffic.client.rate} req/s`)
  if (r.containers !== undefined) lines.push(`containers: ${r.containers.engine}, ${r.containers.oldImage}${r.containers.newImage !== r.containers.oldImage ? ` -> ${r.containers.newImage}` : ''}, label zerodown.rehearse=${r.containers.runId}`)
  for (const warning of d.warnings) lines.push(`warning: ${warning}`)
  if (r.outcome === 'complete') {
    lines.push(`rollout: complete in ${s(r.rollout.durationMs)}; at most ${r.maxLivePods} pods alive at once`)
  } else if (r.outcome === 'stuck') {
    lines.push(`rollout: STUCK — ${r.stuck?.reason ?? 'no progress'}`)
  } else {
    lines.push('rollout: aborted')
  }
  const f = r.failures
  lines.push(`requests: ${r.totals.requests} sent, ${r.totals.ok} ok, ${r.totals.failed} failed ` +
    `(status ${f.status}, reset ${f.reset}, refused ${f.refused}, timeout ${f.timeout}); ` +
    `latency p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, max ${r.latencyMs.max} ms`)
  const failing = r.byRequest.filter((q) => q.failed > 0)
  for (const q of failing) lines.push(`  ${requestFailures(q)}`)
  lines.push(...formatLongLived(r.longLived))
  const inFlight = Object.entries(r.inFlightAtSigterm.byPod).filter(([, n]) => n > 0).map(([pod, n]) => `${pod} ${n}`)
  lines.push(`in flight at SIGTERM: ${r.inFlightAtSigterm.total} requests${inFlight.length > 0 ? ` (${inFlight.join(', ')})` : ''}`)
  for (const warning of r.warnings) lines.push(`warning: ${warning}`)
  for (const k of r.killedAtGrace) lines.push(`killed: ${killedSentence(k)}`)
  lines.push(...podEnds(r))
  const served: Record<string, number> = {}
  for (const b of r.versionsOverTime) for (const [v, n] of Object.entries(b.byVersion)) served[v] = (served[v] ?? 0) + n
  lines.push(`served by: ${Object.entries(served).map(([v, n]) => `${v} ${n}`).join(', ') || 'nothing'}`)
  if (r.afterRollout.since !== undefined) {
    lines.push(`after the last ${r.scenario === 'node-drain' ? 'evicted' : 'old'} pod was gone: ${r.afterRollout.requests} requests, ` +
      (r.afterRollout.otherVersion === 0 ? `all ${r.versions.final}` : `${r.afterRollout.otherVersion} NOT served by ${r.versions.final}`))
  }
  if (r.failedRequests.length > 0) {
    lines.push('failed requests (first 10):')
    for (const q of r.failedRequests.slice(0, 10)) {
      lines.push(`  at ${s(q.at)} ${requestLabel(q)}: ${q.outcome}${q.status !== undefined ? ` ${q.status}` : ''}${q.error !== undefined ? ` (${q.error})` : ''}${q.version !== undefined ? ` from ${q.version}` : ''}`)
    }
  }
  if (r.stuck?.lastProbeFailure !== undefined) lines.push(`last probe failure of ${r.stuck.pod ?? 'the pod'}: ${r.stuck.lastProbeFailure}`)
  if (r.stuck !== undefined) {
    lines.push(`output of ${r.stuck.pod ?? 'the pod'} (last ${r.stuck.output.length} lines):`)
    for (const line of r.stuck.output) lines.push(`  | ${line}`)
  }
  const proxyRetried = r.traffic.proxyRetried > 0
    ? `the proxy retried ${r.traffic.proxyRetried} requests on another endpoint after a pod it still routed to refused them ` +
      '(in a cluster that pod\'s address stops answering and the proxy waits its connect timeout first)'
    : undefined
  const l = r.longLived
  const longLivedFailed = l !== undefined && l.failed > 0 ? `${l.failed} of ${l.connections} long-lived connections failed` : undefined
  const [firstKilled] = r.killedAtGrace
  const killed = r.killedAtGrace.length
  const killedFirst = firstKilled === undefined ? undefined : killedSentence(firstKilled)
  const killedCount = killed > 0 ? `${killed} pod${killed > 1 ? 's' : ''} killed with SIGKILL at the end of ${killed > 1 ? 'their' : 'its'} grace period` : undefined
  const unclean = r.pods.filter((p) => p.unclean !== undefined && p.unclean.reason !== 'killed')
  const uncleanFirst = unclean[0]?.unclean?.sentence
  const uncleanCount = unclean.length > 0 ? `${unclean.length} pod${unclean.length > 1 ? 's' : ''} ended uncleanly` : undefined
  // The first reason heads the line; the others follow it.
  const head = r.outcome !== 'complete'
    ? `the rollout is ${r.outcome}`
    : r.totals.failed > 0 ? `${r.totals.failed} of ${r.totals.requests} requests failed` : proxyRetried ?? longLivedFailed ?? killedFirst ?? uncleanFirst
  lines.push(r.ok
    ? `PASS: the rollout completed and none of ${r.totals.requests} requests${l !== undefined ? ` and ${l.connections} long-lived connections` : ''} failed`
    : `FAIL: ${head}` +
      (failing.length > 0 ? ` — ${failing.map(requestFailures).join('; ')}` : '') +
      (r.totals.failed > 0 && proxyRetried !== undefined ? `; ${proxyRetried}` : '') +
      (longLivedFailed !== undefined && head !== longLivedFailed ? `; ${longLivedFailed}` : '') +
      (killedCount !== undefined && head !== killedFirst ? `; ${killedCount}` : '') +
      (uncleanCount !== undefined && head !== uncleanFirst && !r.ok ? `; ${uncleanCount}` : ''))
  return lines.join('\n') + '\n' + formatSweep(r)
}

/** How each pod that had to go ended, and for each that ended uncleanly why, with its last output. */
function podEnds (r: RehearsalResult): string[] {
  const gone = r.pods.filter((p) => p.deletedAt !== undefined && p.exit !== undefined && p.exit !== 'torn down')
  if (gone.length === 0) return []
  const end = (p: PodSummary): string => `${p.name} ${p.exit ?? 'running'}${p.exitedAt !== undefined ? ` at ${s(p.exitedAt)}` : ''}` +
    (p.exitedAt !== undefined && p.sigtermAt !== undefined ? ` (${s(p.exitedAt - p.sigtermAt)} after SIGTERM)` : '')
  const lines = [`pods that had to go: ${gone.map(end).join('; ')}`]
  for (const p of gone) {
    if (p.unclean === undefined || p.unclean.reason === 'killed') continue
    lines.push(`unclean: ${p.unclean.sentence}${r.ok ? ' (allowed with --allow-unclean-exits)' : ''}`)
    if (p.unclean.output.length > 0) lines.push(`output of ${p.name} (last ${p.unclean.output.length} lines):`, ...p.unclean.output.map((line) => `  | ${line}`))
  }
  return lines
}
