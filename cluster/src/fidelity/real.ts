// One fidelity row in the real cluster: the rendered objects applied in a namespace of their own, the
// load sent to the Service from inside the cluster's network namespace, the rollout triggered with
// kubectl as a user would, and everything observed on one clock.
import { spawn } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { join } from 'node:path'
import { mergeValues, PROPAGATION_ANNOTATION, render, toYaml, type KubernetesObject, type ValuesOverride } from '@zerodown/deploy'
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment'
import type { Cluster } from '../cluster.js'
import { PACKAGE_DIR } from '../paths.js'
import { FIDELITY_LOAD, type LoadRecord, type LoadShape } from './load-shape.js'
import { exitsOnSigtermCommand, type FidelityScenario, type ManifestEdits } from './scenarios.js'
import { emptyFailures, type SideResult } from './side.js'
import { PodWatch, RuleWatch, type PodLife } from './watch.js'

export const RELEASE = 'demo'
export const KUBE_VERSION = '1.20'
const DEPLOYMENT = `${RELEASE}-zerodown`
/** The built client (tests run this package's sources; the client runs as a program of its own). */
const LOAD_CLIENT = join(PACKAGE_DIR, 'dist', 'fidelity', 'load-client.js')
/** The demo's server inside its image (apps/demo/Dockerfile: WORKDIR /app). */
const IMAGE_SERVER = '/app/dist/server.js'

export interface RealOptions {
  /** Values every row shares: the rehearsal example's timings and the images' repository. */
  base: ValuesOverride[]
  load?: LoadShape
  warmupMs?: number
  tailMs?: number
}

/** The objects of one version of a row: `zerodown-deploy render --kube-version 1.20`, then the row's edits. */
function objects (scenario: FidelityScenario, base: ValuesOverride[], tag = '1.0.0', server = IMAGE_SERVER): KubernetesObject[] {
  const command = scenario.exitsOnSigterm === true ? { container: { command: exitsOnSigtermCommand(server) } } : {}
  const overrides = [...base, scenario.values, command, { image: { tag } }]
  const rendered = render(mergeAll(overrides), { release: RELEASE, kubeVersion: KUBE_VERSION })
  applyEdits(findDeployment(rendered), scenario.edits ?? {})
  return rendered
}

const findDeployment = (list: KubernetesObject[]): IDeployment => list.find((o): o is IDeployment => o.kind === 'Deployment')!
const deployment = (base: ValuesOverride[], scenario: FidelityScenario): IDeployment => findDeployment(objects(scenario, base))

/** The manifest of one version of a row, as YAML. */
export function manifest (scenario: FidelityScenario, base: ValuesOverride[], tag: string, server = IMAGE_SERVER): string {
  return toYaml(objects(scenario, base, tag, server))
}

function applyEdits (deployment: IDeployment, edits: ManifestEdits): void {
  const container = deployment.spec!.template.spec!.containers[0]!
  if (edits.noPreStop === true) delete container.lifecycle
  for (const [name, value] of Object.entries(edits.env ?? {})) {
    const entry = container.env?.find((e) => e.name === name)
    if (entry === undefined) container.env = [...container.env ?? [], { name, value }]
    else entry.value = value
  }
  if (edits.propagationSeconds !== undefined) deployment.metadata!.annotations![PROPAGATION_ANNOTATION] = edits.propagationSeconds
}

const mergeAll = (list: ValuesOverride[]): ValuesOverride => list.reduce<unknown>((merged, values) => mergeValues(merged, values), {}) as ValuesOverride

/** ZERODOWN_FIDELITY_TRACE=1 prints when each step of a real row starts. */
const trace = (id: string): (step: string) => void => {
  const started = Date.now()
  return process.env.ZERODOWN_FIDELITY_TRACE === '1' ? (step) => process.stderr.write(`fidelity ${id} +${Date.now() - started} ms: ${step}\n`) : () => {}
}

export async function runReal (cluster: Cluster, scenario: FidelityScenario, opts: RealOptions): Promise<SideResult> {
  const step = trace(scenario.id)
  await cluster.setEndpointBatchPeriod(scenario.endpointBatchSeconds ?? 0)
  const ns = `fidelity-${scenario.id}`
  const kubectl = async (args: string[], input?: string): Promise<string> => await cluster.kubectl(['-n', ns, ...args], input === undefined ? {} : { input })
  await cluster.kubectl(['create', 'namespace', ns])
  const pods = new PodWatch(cluster, ns)
  let rules: RuleWatch | undefined
  try {
    step('apply 1.0.0')
    await kubectl(['apply', '-f', '-'], manifest(scenario, opts.base, '1.0.0'))
    await kubectl(['rollout', 'status', `deployment/${DEPLOYMENT}`, '--timeout=120s'])
    step('1.0.0 available')
    const ip = (await kubectl(['get', 'service', DEPLOYMENT, '-o', 'jsonpath={.spec.clusterIP}'])).trim()
    const port = (await kubectl(['get', 'service', DEPLOYMENT, '-o', 'jsonpath={.spec.ports[0].port}'])).trim()
    rules = new RuleWatch(cluster, 8080)
    const firstHash = new Set([...pods.pods.values()].map((p) => p.hash))
    const load = startLoad(cluster, `http://${ip}:${port}`, opts.load ?? FIDELITY_LOAD)
    await sleep(opts.warmupMs ?? 2000)

    const startedAt = Date.now()
    step('rollout')
    await trigger(scenario, kubectl, pods, opts.base)
    const rolloutComplete = await kubectl(['rollout', 'status', `deployment/${DEPLOYMENT}`, '--timeout=180s']).then(() => true, () => false)
    const completedAt = Date.now()
    step('rollout complete')
    const finalHash = (await kubectl(['get', 'pods', '-o', 'jsonpath={.items[*].metadata.labels.pod-template-hash}'])).split(' ')
      .find((hash) => hash !== '' && [...pods.pods.values()].some((p) => p.hash === hash && p.deletedAt === undefined)) ?? ''
    // Every pod that had to go has ended: its container's exit was reported, the pod is gone, or its
    // grace period is over (a container that exits fast is not always reported before the kubelet
    // removes the pod, at its own housekeeping, well after).
    const graceMs = 1000 * (deployment(opts.base, scenario).spec?.template.spec?.terminationGracePeriodSeconds ?? 30) + 2000
    const ended = (p: PodLife): boolean => p.exit !== undefined || p.goneAt !== undefined || (p.deletedAt !== undefined && Date.now() > p.deletedAt + graceMs)
    const leaving = (): boolean => [...pods.pods.values()].some((p) => p.hash !== finalHash && !ended(p))
    for (let waited = 0; leaving() && waited < 60_000; waited += 250) await sleep(250)
    if (leaving()) process.emitWarning(`fidelity ${scenario.id}: pods not seen ended: ${[...pods.pods.values()].filter((p) => p.hash !== finalHash && !ended(p)).map((p) => p.name).join(', ')} (final ReplicaSet ${finalHash})`)
    step('old pods ended')
    await sleep(opts.tailMs ?? 1000)
    const records = await load.stop()
    step('load stopped')

    const failures = emptyFailures()
    for (const r of records) if (r.outcome !== 'ok') failures[r.outcome]++
    const failed = records.filter((r) => r.outcome !== 'ok').length
    const oldPods = [...pods.pods.values()].filter((p) => firstHash.has(p.hash) || p.deletedAt !== undefined).filter((p) => p.deletedAt !== undefined).map((p) => {
      const until = p.ip === undefined ? undefined : rules?.routed.get(p.ip)?.until
      return {
        name: p.name,
        exit: p.exit === undefined ? 'gone' : `exit ${p.exit.code}${p.exit.reason !== '' ? ` (${p.exit.reason})` : ''}`,
        ...(until !== undefined && p.deletedAt !== undefined && { propagationMs: Math.max(0, until - p.deletedAt) }),
        ...(p.killingAt !== undefined && p.deletedAt !== undefined && { killingMs: Math.max(0, p.killingAt - p.deletedAt) })
      }
    })
    return {
      verdict: rolloutComplete && failed === 0 ? 'pass' : 'fail',
      rolloutComplete,
      requests: records.length,
      failed,
      failures,
      rolloutSeconds: Math.round((completedAt - startedAt) / 100) / 10,
      oldPods
    }
  } finally {
    pods.stop()
    rules?.stop()
    // The next row starts on an empty node: what is measured is done, so the pods go at once.
    await kubectl(['delete', 'deployment', '--all', '--wait=false']).catch(() => {})
    await kubectl(['delete', 'pods', '--all', '--grace-period=0', '--force']).catch(() => {})
    await cluster.kubectl(['delete', 'namespace', ns, '--wait=false']).catch(() => {})
    step('cleaned up')
  }
}

async function trigger (scenario: FidelityScenario, kubectl: (args: string[], input?: string) => Promise<string>, pods: PodWatch, base: ValuesOverride[]): Promise<void> {
  if (scenario.trigger === 'restart') {
    await kubectl(['rollout', 'restart', `deployment/${DEPLOYMENT}`])
    return
  }
  const before = new Set([...pods.pods.values()].map((p) => p.hash))
  await kubectl(['apply', '-f', '-'], manifest(scenario, base, '2.0.0'))
  if (scenario.trigger !== 'rollback') return
  // `kubectl rollout undo` once half the replicas run the new version, as the rehearsal's rollback.
  const replicas = 3
  for (let waited = 0; waited < 120_000; waited += 100) {
    const ready = [...pods.pods.values()].filter((p) => !before.has(p.hash) && p.readyAt !== undefined && p.deletedAt === undefined).length
    if (ready >= Math.ceil(replicas / 2)) break
    await sleep(100)
  }
  await kubectl(['rollout', 'undo', `deployment/${DEPLOYMENT}`])
}

function startLoad (cluster: Cluster, origin: string, shape: LoadShape): { stop: () => Promise<LoadRecord[]> } {
  const [file, ...args] = cluster.wrap([process.execPath, LOAD_CLIENT, origin, JSON.stringify(shape)])
  const child = spawn(file!, args, { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => { out += chunk })
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()))
  return {
    async stop () {
      child.kill('SIGTERM')
      await exited
      return out.split('\n').filter(Boolean).map((line) => JSON.parse(line) as LoadRecord)
    }
  }
}
