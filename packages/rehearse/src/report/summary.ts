// The result of a rehearsal, plain JSON: what `--json` prints and what the report draws.
import { formatKubeVersion } from '@zerodown/deploy/kube-version'
import { resolveRollout } from '@zerodown/deploy/rollout'
import type { Outcome, RequestRecord } from '../load/requests.js'
import type { Pid1Model } from '../runtime/process.js'
import { summarizeLongLived, type LongLivedSummary } from './long-lived-summary.js'
import type { PropagationDelayFrom, Scenario } from '../options.js'
import type { ProxyKind } from '../traffic/proxy.js'
import type { RehearsalState } from '../state.js'
import { endedPods, uncleanExit, type UncleanExit } from './exits.js'
import { killedAtGrace, type KilledAtGrace } from './killed.js'
import type { PodEvent, RolloutEvent } from '../timeline.js'

export type FailureKind = Exclude<Outcome, 'ok'>

export interface PodSummary {
  name: string
  version: string
  port: number
  createdAt: number
  /** First time it became ready. */
  readyAt?: number
  deletedAt?: number
  /** When its last container exited. */
  exitedAt?: number
  /** How the last container ended: "code 0", "signal SIGKILL", or "torn down" when the rehearsal ended with it running. */
  exit?: string
  /** When it was sent the stop signal (after its preStop hook). */
  sigtermAt?: number
  /** A pod that had to go and did not end cleanly (exit 0 after its drain): why, and its last output. */
  unclean?: UncleanExit
  restarts: number
}

export interface SecondBucket {
  /** Start of the second, in ms since the rehearsal started. */
  at: number
  /** Successful responses per version. */
  byVersion: Record<string, number>
  failures: number
}

export interface RequestSummary {
  /** The load file entry's name, when it has one. */
  name?: string
  method: string
  path: string
  sent: number
  ok: number
  failed: number
  /** Failures by kind. */
  failures: Record<FailureKind, number>
  /** Statuses of the failed responses, with counts. */
  failedStatuses: Record<string, number>
  /** Median latency of its successful responses, ms; absent when none succeeded. */
  latencyP50Ms?: number
  /** The status it was most often answered with when it succeeded. */
  okStatus?: number
}

export interface RehearsalResult {
  /** True only when the rollout completed and no request or long-lived connection failed. */
  ok: boolean
  outcome: 'complete' | 'stuck' | 'aborted'
  /** What was rehearsed. */
  scenario: Scenario
  /** The Kubernetes whose behaviour was rehearsed: a version like "1.20", or "current". */
  kubernetes: string
  /** The version before, the one rolled out to, and the one every pod runs at the end (old after a rollback). */
  versions: { old: string, new: string, final: string }
  /** How the container's PID 1 was reproduced: in a PID namespace (as root or in a user namespace), or on the host. */
  pid1: Pid1Model
  deployment: {
    name: string
    replicas: number
    maxSurge: number | string
    maxUnavailable: number | string
    /** maxSurge and maxUnavailable resolved for `replicas` (R1). */
    surge: number
    unavailable: number
    minReadySeconds: number
    progressDeadlineSeconds: number
    preStopSleepSeconds: number
    terminationGracePeriodSeconds: number
    propagationDelayMs: number
    /** `option`, `annotation` (zerodown.dev/propagation-seconds) or `default` (2000 ms). */
    propagationDelayFrom: PropagationDelayFrom
    /** What was read but not reproduced, and env that could not be resolved (and was not passed). */
    warnings: string[]
  }
  /** The traffic path and the client model (see the README). */
  traffic: {
    proxy: ProxyKind
    /** How long a new ready endpoint took to reach the proxy, and a removed one to leave it. */
    addDelayMs: number
    removeDelayMs: number
    client: { model: 'closed' | 'open', connections: number, newConnectionClients: number, rate: number, burstMs: number, retries: number }
    /** Requests the client sent more than once (client retries). */
    retried: number
    /**
     * Requests an L7 proxy passed to another endpoint after a connection error: it still routed them to
     * a pod that refused. Any fails the rehearsal (see the README: in a cluster the address of a deleted
     * pod stops answering, and the proxy first waits its connect timeout).
     */
    proxyRetried: number
  }
  /** With `sweep`: the removal delays rehearsed and the largest that passed, the rollout's safety margin. */
  sweep?: SweepSummary
  /** `ok`: a status the request expects (by default 2xx or 3xx); every other outcome is a failure. */
  totals: { requests: number, ok: number, failed: number }
  failures: Record<FailureKind, number>
  /** Per request of the load: how often it was sent, how it failed, with which statuses, its median latency. */
  byRequest: RequestSummary[]
  /** With long-lived clients in the load: their connections, how many the servers asked to reconnect, and every failure. */
  longLived?: LongLivedSummary
  /** Requests in flight on a pod at the moment it got SIGTERM, in all and per pod. */
  inFlightAtSigterm: { total: number, byPod: Record<string, number> }
  /** Pods SIGKILLed when their grace period ran out: their app did not exit on the stop signal. Any fails the rehearsal. */
  killedAtGrace: KilledAtGrace[]
  /** On a real cluster (--cluster): its context, the namespace the run used and where the load went. */
  cluster?: { context: string, namespace: string, url: string }
  /** The container mode: the engine, the images and the label value of the run's containers. */
  containers?: { engine: string, oldImage: string, newImage: string, runId: string }
  /** What makes the result mean less than it seems, e.g. no request in flight at any SIGTERM. */
  warnings: string[]
  latencyMs: { p50: number, p99: number, max: number }
  rollout: { startedAt?: number, completedAt?: number, durationMs?: number }
  /** Most containers alive at once, terminating ones included. */
  maxLivePods: number
  /** Requests sent after the last pod that had to go was gone, and how many of them a version other than the final one answered. */
  afterRollout: { since?: number, requests: number, otherVersion: number }
  versionsOverTime: SecondBucket[]
  /** The failed requests, up to 200. */
  failedRequests: RequestRecord[]
  pods: PodSummary[]
  podEvents: PodEvent[]
  rolloutEvents: RolloutEvent[]
  /** Why the rollout is stuck, the pod shown, its last probe failure and its last 50 output lines. */
  stuck?: { reason: string, pod?: string, lastProbeFailure?: string, output: string[] }
  /** Length of the rehearsal, ms. */
  durationMs: number
}

const round = (n: number): number => Math.round(n)

function percentile (sorted: number[], p: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

export interface SweepSummary {
  /** Each rehearsal of the sweep, in order: its removal delay and how it ended. */
  runs: Array<{ removeDelayMs: number, ok: boolean, failed: number, outcome: RehearsalResult['outcome'] }>
  /** The largest removal delay that passed (with every smaller one); absent when the first failed. */
  marginMs?: number
  /** Why it stopped: the first failure, the bound on the number of runs, or an interruption. */
  stoppedBy: 'failure' | 'max-runs' | 'aborted'
}

export function summarize (state: RehearsalState): RehearsalResult {
  const { opts } = state
  const spec = opts.deployment
  const records = state.load?.records ?? []
  const failures: Record<FailureKind, number> = { status: 0, reset: 0, refused: 0, timeout: 0 }
  for (const r of records) if (r.outcome !== 'ok') failures[r.outcome]++
  const failed = records.filter((r) => r.outcome !== 'ok').sort((a, b) => a.at - b.at)
  const latencies = records.filter((r) => r.outcome === 'ok').map((r) => r.end - r.at).sort((a, b) => a - b)

  const after = state.oldGoneAt === undefined ? [] : records.filter((r) => r.at >= state.oldGoneAt!)
  const { surge, unavailable } = resolveRollout(spec.maxSurge, spec.maxUnavailable, spec.replicas)

  const pods = podSummaries(state)
  const inFlightAtSigterm = inFlight(state.podEvents, records)
  const warnings = warningsOf(state, records, inFlightAtSigterm.total)
  const passed = new Set([...Object.keys(opts.env), ...opts.passEnv])
  const envWarnings = spec.unresolvedEnv.filter((u) => u.name === undefined || !passed.has(u.name)).map((u) => u.message)

  const completed = state.outcome === 'complete' && state.rolloutCompletedAt !== undefined
  const killed = killedAtGrace(state.podEvents, new Map(state.allPods.map((p) => [p.name, p.version])), spec.terminationGracePeriodSeconds)
  const c = opts.containers
  const proxyRetried = records.filter((r) => r.proxyTries !== undefined).length
  const longLived = opts.load.longLived === undefined ? undefined : summarizeLongLived(opts.load.longLived, state.longLived?.records ?? [])
  return {
    ok: completed && failed.length === 0 && proxyRetried === 0 && (longLived?.failed ?? 0) === 0 && killed.length === 0 &&
      (opts.allowUncleanExits || pods.every((p) => p.unclean === undefined)),
    outcome: state.outcome === 'complete' && !completed ? 'aborted' : state.outcome,
    scenario: opts.scenario,
    versions: { old: opts.oldVersion, new: opts.newVersion, final: state.finalVersion },
    pid1: state.pid1,
    kubernetes: opts.kube === undefined ? 'current' : formatKubeVersion(opts.kube),
    deployment: {
      name: spec.name,
      replicas: spec.replicas,
      maxSurge: spec.maxSurge,
      maxUnavailable: spec.maxUnavailable,
      surge,
      unavailable,
      minReadySeconds: spec.minReadySeconds,
      progressDeadlineSeconds: spec.progressDeadlineSeconds,
      preStopSleepSeconds: spec.preStopSleepSeconds,
      terminationGracePeriodSeconds: spec.terminationGracePeriodSeconds,
      propagationDelayMs: opts.propagationDelayMs,
      propagationDelayFrom: opts.propagationDelayFrom,
      warnings: [...spec.warnings, ...envWarnings]
    },
    traffic: {
      proxy: opts.proxy,
      addDelayMs: opts.addDelayMs,
      removeDelayMs: opts.removeDelayMs,
      client: { model: opts.load.model, connections: opts.load.connections, newConnectionClients: opts.load.newConnectionClients, rate: opts.load.rate, burstMs: opts.load.burstMs, retries: opts.load.retries },
      retried: records.filter((r) => r.attempts !== undefined).length,
      proxyRetried
    },
    totals: { requests: records.length, ok: records.length - failed.length, failed: failed.length },
    failures,
    byRequest: byRequest(opts.load.requests, records),
    ...(longLived !== undefined && { longLived }),
    inFlightAtSigterm,
    killedAtGrace: killed,
    ...(state.cluster !== undefined && { cluster: state.cluster }),
    ...(c !== undefined && { containers: { engine: c.engine.name, oldImage: c.oldImage.ref, newImage: c.newImage.ref, runId: c.runId } }),
    warnings,
    latencyMs: { p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)), max: round(latencies.at(-1) ?? 0) },
    rollout: {
      ...(state.rolloutStartedAt !== undefined && { startedAt: round(state.rolloutStartedAt) }),
      ...(state.rolloutCompletedAt !== undefined && { completedAt: round(state.rolloutCompletedAt) }),
      ...(state.rolloutStartedAt !== undefined && state.rolloutCompletedAt !== undefined && { durationMs: round(state.rolloutCompletedAt - state.rolloutStartedAt) })
    },
    maxLivePods: maxLive(state.podEvents),
    afterRollout: {
      ...(state.oldGoneAt !== undefined && { since: round(state.oldGoneAt) }),
      requests: after.length,
      otherVersion: after.filter((r) => r.outcome === 'ok' && r.version !== state.finalVersion).length
    },
    versionsOverTime: secondBuckets(records),
    failedRequests: failed.slice(0, 200).map((r) => ({ ...r, at: round(r.at), end: round(r.end) })),
    pods,
    podEvents: state.podEvents.map((e) => ({ ...e, at: round(e.at) })),
    rolloutEvents: state.rolloutEvents.map((e) => ({ ...e, at: round(e.at) })),
    ...(state.stuckReason !== undefined && {
      stuck: {
        reason: state.stuckReason,
        ...(state.stuckPod !== undefined && { pod: state.stuckPod.name }),
        ...lastProbeFailure(state.podEvents, state.stuckPod?.name),
        output: state.stuckPod?.output.slice(-50) ?? []
      }
    }),
    durationMs: round(state.endedAt ?? state.clock.now())
  }
}

/** Successful responses per version, and failures, second by second. */
function secondBuckets (records: RequestRecord[]): SecondBucket[] {
  const buckets = new Map<number, SecondBucket>()
  for (const r of records) {
    const at = Math.floor(r.at / 1000) * 1000
    const bucket = buckets.get(at) ?? { at, byVersion: {}, failures: 0 }
    buckets.set(at, bucket)
    if (r.outcome !== 'ok') bucket.failures++
    else {
      const v = r.version ?? 'unknown'
      bucket.byVersion[v] = (bucket.byVersion[v] ?? 0) + 1
    }
  }
  return [...buckets.values()].sort((a, b) => a.at - b.at)
}

/** Most containers alive at once, terminating ones included (R3). */
function maxLive (events: PodEvent[]): number {
  let live = 0
  let most = 0
  for (const e of events) {
    if (e.kind === 'started') live++
    if (e.kind === 'exited') live--
    most = Math.max(most, live)
  }
  return most
}

/** Each pod: when it was made, got ready, was deleted, signalled and ended, and whether it ended cleanly. */
function podSummaries (state: RehearsalState): PodSummary[] {
  const { opts } = state
  const spec = opts.deployment
  const command = opts.containers !== undefined ? [...spec.pod.command ?? [], ...spec.pod.args ?? []] : opts.command
  const ended = endedPods(state.allPods, command)
  return state.allPods.map((p, i) => {
    const events = state.podEvents.filter((e) => e.pod === p.name)
    const first = (kind: PodEvent['kind']): number | undefined => events.find((e) => e.kind === kind)?.at
    const exited = events.filter((e) => e.kind === 'exited').at(-1)
    const readyAt = first('ready')
    const sigtermAt = first('sigterm')
    const unclean = uncleanExit(ended[i]!, state.podEvents)
    return {
      name: p.name,
      version: p.version,
      port: p.port,
      createdAt: round(p.createdAt),
      ...(readyAt !== undefined && { readyAt: round(readyAt) }),
      ...(p.deletedAt !== undefined && { deletedAt: round(p.deletedAt) }),
      ...(exited !== undefined && { exitedAt: round(exited.at), ...(exited.detail !== undefined && { exit: exited.detail }) }),
      ...(sigtermAt !== undefined && { sigtermAt: round(sigtermAt) }),
      ...(unclean !== undefined && { unclean }),
      restarts: p.restarts
    }
  })
}

/** Requests in flight on a pod at the moment it got SIGTERM, in all and per pod. */
function inFlight (events: PodEvent[], records: RequestRecord[]): RehearsalResult['inFlightAtSigterm'] {
  const result = { total: 0, byPod: {} as Record<string, number> }
  for (const e of events.filter((e) => e.kind === 'sigterm')) {
    const n = records.filter((r) => r.pod === e.pod && r.at <= e.at && r.end > e.at).length
    result.total += n
    result.byPod[e.pod] = (result.byPod[e.pod] ?? 0) + n
  }
  return result
}

/** What makes the result mean less than it seems. */
function warningsOf (state: RehearsalState, records: RequestRecord[], inFlightTotal: number): string[] {
  const warnings: string[] = []
  if (records.length > 0 && inFlightTotal === 0 && state.podEvents.some((e) => e.kind === 'sigterm')) {
    warnings.push('no request was in flight when a pod got SIGTERM: this rehearsal did not exercise the drain of in-flight requests; ' +
      'add a slower request (--slow-path, or a load file entry that takes a few hundred ms)')
  }
  if (state.pid1 === 'host') {
    warnings.push('the app ran as a plain process, not as PID 1 of a PID namespace (unshare is missing or not permitted here): ' +
      'a stop signal it has no handler for ended it here, where a container would ignore it until SIGKILL')
  }
  return warnings
}

function byRequest (requests: Array<{ method: string, path: string, name?: string }>, records: RequestRecord[]): RequestSummary[] {
  return requests.map((req, index) => {
    const mine = records.filter((r) => r.request === index)
    const failures: Record<FailureKind, number> = { status: 0, reset: 0, refused: 0, timeout: 0 }
    const failedStatuses: Record<string, number> = {}
    const okStatuses = new Map<number, number>()
    for (const r of mine) {
      if (r.outcome === 'ok') okStatuses.set(r.status!, (okStatuses.get(r.status!) ?? 0) + 1)
      else failures[r.outcome]++
      if (r.outcome === 'status') failedStatuses[r.status!] = (failedStatuses[r.status!] ?? 0) + 1
    }
    const latencies = mine.filter((r) => r.outcome === 'ok').map((r) => r.end - r.at).sort((a, b) => a - b)
    const okStatus = [...okStatuses].sort((a, b) => b[1] - a[1])[0]?.[0]
    const failed = mine.length - latencies.length
    return {
      ...(req.name !== undefined && { name: req.name }),
      method: req.method,
      path: req.path,
      sent: mine.length,
      ok: latencies.length,
      failed,
      failures,
      failedStatuses,
      ...(latencies.length > 0 && { latencyP50Ms: round(percentile(latencies, 50)) }),
      ...(okStatus !== undefined && { okStatus })
    }
  })
}

function lastProbeFailure (events: PodEvent[], pod: string | undefined): { lastProbeFailure?: string } {
  const last = events.filter((e) => e.pod === pod && e.kind === 'probe-failed').at(-1)
  return last?.detail === undefined ? {} : { lastProbeFailure: last.detail }
}
