// One fidelity row rehearsed: the same rendered manifest, the same app (the demo's build, as processes),
// the same load, with `zerodown-rehearse --kube-version 1.20`.
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { rehearse, type RehearsalResult } from '@zerodown/rehearse'
import type { ValuesOverride } from '@zerodown/deploy'
import { FAILURE_KINDS, FIDELITY_LOAD, type LoadShape } from './load-shape.js'
import { KUBE_VERSION, manifest } from './real.js'
import { exitsOnSigtermCommand, type FidelityScenario } from './scenarios.js'
import type { SideResult } from './side.js'

/** The demo as built in the workspace: the same code its image runs. */
const DEMO_DIR = fileURLToPath(new URL('../../../apps/demo/', import.meta.url))
const DEMO_SERVER = join(DEMO_DIR, 'dist', 'server.js')

export interface RehearsedOptions {
  base: ValuesOverride[]
  /** A folder for the rendered manifest. */
  dir: string
  load?: LoadShape
  warmupMs?: number
  tailMs?: number
}

export async function runRehearsed (scenario: FidelityScenario, opts: RehearsedOptions): Promise<SideResult & { result: RehearsalResult }> {
  const file = join(opts.dir, `${scenario.id}.yaml`)
  await writeFile(file, manifest(scenario, opts.base, '1.0.0', DEMO_SERVER))
  const shape = opts.load ?? FIDELITY_LOAD
  const result = await rehearse({
    manifest: file,
    // What the image runs (node dist/server.js), or the manifest's command for an app that exits at once.
    command: scenario.exitsOnSigterm === true ? exitsOnSigtermCommand(DEMO_SERVER) : ['node', DEMO_SERVER],
    cwd: DEMO_DIR,
    kubeVersion: KUBE_VERSION,
    scenario: scenario.trigger,
    warmupMs: opts.warmupMs ?? 2000,
    tailMs: opts.tailMs ?? 1000,
    load: {
      rate: shape.rate,
      connections: shape.keepAlive,
      newConnectionClients: shape.newConnection,
      timeoutMs: shape.timeoutMs,
      requests: shape.requests.map(({ path, weight }) => ({ path, weight }))
    }
  })
  const failures = Object.fromEntries(FAILURE_KINDS.map((kind) => [kind, result.failures[kind]])) as SideResult['failures']
  const oldPods = result.pods.filter((p) => p.deletedAt !== undefined).map((p) => ({ name: p.name, exit: p.exit === undefined ? 'gone' : p.exit.replace(/^code /, 'exit ') }))
  return {
    verdict: result.ok ? 'pass' : 'fail',
    rolloutComplete: result.outcome === 'complete',
    requests: result.totals.requests,
    failed: result.totals.failed,
    failures,
    ...(result.rollout.durationMs !== undefined && { rolloutSeconds: Math.round(result.rollout.durationMs / 100) / 10 }),
    oldPods,
    result
  }
}
