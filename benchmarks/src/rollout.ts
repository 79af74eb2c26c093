// 4. Dropped requests during a rollout: the same rehearsal — the same rendered manifest, load and
// propagation delay — of the demo with zerodown, of the peer apps and of the naive baseline,
// several runs each, interleaved so that the machine's noise falls on all alike.
import { readValuesFile, render, toYaml } from '@zerodown/deploy'
import { parseManifest, rehearse, type DeploymentSpec, type FailureKind, type LoadOptions, type RehearsalResult } from '@zerodown/rehearse'
import { BENCH_DIR, demoServer, naiveBaseline, PEER_APPS, rehearsalValues, ZERODOWN_SERVER } from './paths.js'
import { summarize, type Summary } from './stats.js'

export interface RolloutConfig {
  runs: number
  /** Which apps to rehearse, by id; default all. */
  apps: string[]
  propagationDelayMs: number
  load: Required<Pick<LoadOptions, 'rate' | 'connections' | 'slowPath' | 'slowShare'>>
  /** Values over the chart's rehearsal example (e.g. fewer replicas for a smoke run). */
  values?: Record<string, unknown>
  /** Load before the rollout and after the last old pod is gone; the rehearsal's defaults (1 s) if unset. */
  warmupMs?: number
  tailMs?: number
}

export interface RolloutApp {
  id: string
  name: string
  /** How it is set up for Kubernetes, in a few words. */
  setup: string
  command: () => string[]
  env?: Record<string, string>
}

export const ROLLOUT_APPS: RolloutApp[] = [
  {
    id: 'zerodown',
    name: 'zerodown (the demo)',
    setup: 'drainDelay from the chart (ZERODOWN_DRAIN_DELAY_MS), probes on the main port',
    command: () => ['node', demoServer()]
  },
  {
    id: 'zerodown-plugins',
    name: 'zerodown plugins on the demo\'s routes',
    setup: 'benchmarks/servers/zerodown.js: the three plugins, drainDelay from the chart (ZERODOWN_DRAIN_DELAY_MS)',
    command: () => ['node', ZERODOWN_SERVER],
    env: { WITH_PLUGINS: '1' }
  },
  {
    id: 'terminus',
    name: '@godaddy/terminus 4.12.1',
    setup: 'beforeShutdown 5 s, useExit0, health checks on the probe paths',
    command: () => ['node', PEER_APPS.terminus]
  },
  {
    id: 'lightship',
    name: 'lightship 9.0.3',
    setup: 'shutdownDelay 5 s (default), signalReady on listen, close() as shutdown handler',
    command: () => ['node', PEER_APPS.lightship]
  },
  {
    id: 'graceful-shutdown',
    name: 'fastify-graceful-shutdown 5.0.0',
    setup: 'README usage: fastify.close() on SIGTERM, 10 s timeout',
    command: () => ['node', PEER_APPS.gracefulShutdown]
  },
  {
    id: 'naive',
    name: 'naive baseline',
    setup: 'plain Fastify, no SIGTERM handler, readiness 200 to the end',
    command: () => ['node', naiveBaseline()]
  }
]

export interface RolloutRun {
  ok: boolean
  outcome: RehearsalResult['outcome']
  requests: number
  failed: number
  failures: Record<FailureKind, number>
  rolloutMs?: number
  latencyP99Ms: number
  /** How each old pod's container ended, e.g. "code 0", "signal SIGKILL". */
  oldPodExits: string[]
}

export interface RolloutAppResult {
  id: string
  name: string
  setup: string
  runs: RolloutRun[]
  failed: Summary
  byKind: Record<FailureKind, Summary>
  rolloutMs: Summary
  /** Runs with no failed request and a completed rollout. */
  cleanRuns: number
}

export interface RolloutResult {
  config: RolloutConfig
  deployment: RehearsalResult['deployment'] | undefined
  apps: RolloutAppResult[]
  /** zerodown dropped nothing in any run. */
  met: boolean | undefined
}

const KINDS: FailureKind[] = ['status', 'reset', 'refused', 'timeout']

/** The Deployment the chart renders from its rehearsal example values: what every app is rehearsed with. */
export function rehearsalDeployment (values: Record<string, unknown> = {}): DeploymentSpec {
  const base = readValuesFile(rehearsalValues())
  const objects = render(mergeDeep(base, values), { release: 'bench' })
  return parseManifest(toYaml(objects), 'deploy chart, examples/rehearsal.yaml')
}

function mergeDeep (a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a }
  for (const [key, value] of Object.entries(b)) {
    const left = out[key]
    const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)
    out[key] = isObject(left) && isObject(value) ? mergeDeep(left, value) : value
  }
  return out
}

function toRun (r: RehearsalResult): RolloutRun {
  return {
    ok: r.ok,
    outcome: r.outcome,
    requests: r.totals.requests,
    failed: r.totals.failed,
    failures: { ...r.failures },
    ...(r.rollout.durationMs !== undefined && { rolloutMs: r.rollout.durationMs }),
    latencyP99Ms: r.latencyMs.p99,
    oldPodExits: r.pods.filter((p) => p.version === r.versions.old).map((p) => p.exit ?? 'running')
  }
}

export async function measureRollouts (config: RolloutConfig, onRun?: (app: RolloutApp, run: RolloutRun) => void): Promise<RolloutResult> {
  const apps = ROLLOUT_APPS.filter((a) => config.apps.includes(a.id))
  const deployment = rehearsalDeployment(config.values)
  const runs = new Map<string, RolloutRun[]>(apps.map((a) => [a.id, []]))
  let described: RehearsalResult['deployment'] | undefined
  for (let i = 0; i < config.runs; i++) {
    for (const app of apps) {
      const result = await rehearse({
        deployment,
        command: app.command(),
        cwd: BENCH_DIR,
        propagationDelayMs: config.propagationDelayMs,
        load: config.load,
        ...(config.warmupMs !== undefined && { warmupMs: config.warmupMs }),
        ...(config.tailMs !== undefined && { tailMs: config.tailMs }),
        ...(app.env !== undefined && { env: app.env })
      })
      described ??= result.deployment
      const run = toRun(result)
      runs.get(app.id)!.push(run)
      onRun?.(app, run)
    }
  }
  const results = apps.map((app): RolloutAppResult => {
    const list = runs.get(app.id)!
    const byKind = Object.fromEntries(KINDS.map((k) => [k, summarize(list.map((r) => r.failures[k]))])) as Record<FailureKind, Summary>
    return {
      id: app.id,
      name: app.name,
      setup: app.setup,
      runs: list,
      failed: summarize(list.map((r) => r.failed)),
      byKind,
      rolloutMs: summarize(list.flatMap((r) => r.rolloutMs === undefined ? [] : [r.rolloutMs])),
      cleanRuns: list.filter((r) => r.ok).length
    }
  })
  const zerodown = results.find((r) => r.id === 'zerodown')
  return {
    config,
    deployment: described,
    apps: results,
    met: zerodown === undefined ? undefined : zerodown.runs.every((r) => r.ok)
  }
}
