// The cluster fixture: up, a Ready node, a pod serving through a Service inside the cluster's own
// namespace, then down leaves the machine as it was; and a cluster whose owner was killed is cleaned
// up by `zerodown-cluster down`.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { test } from 'tap'
import { pauseImage } from '../src/binaries.js'
import { Cluster, cleanUp, NODE_NAME, staleRuns } from '../src/index.js'
import { compareHostState, readHostState } from './host-state.js'
import { clusterSkip } from './setup.js'

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url))

/**
 * The machine's state before a test, once a cluster left by a runner that was killed (a CI run
 * stopped mid-suite) is cleaned up: `up` would clean it anyway, and its removal is not this test's.
 */
async function hostStateWithoutStaleClusters (): ReturnType<typeof readHostState> {
  for (const record of await staleRuns()) await cleanUp(record)
  return await readHostState()
}

test('up, a pod behind a Service, then down: the machine is as it was', { skip: clusterSkip }, async (t) => {
  const before = await hostStateWithoutStaleClusters()
  const cluster = await Cluster.up()
  t.teardown(() => cluster.down())
  const node = JSON.parse(await cluster.kubectl(['get', 'node', NODE_NAME, '-o', 'json']))
  t.equal(node.status.nodeInfo.kubeletVersion, 'v1.20.2')
  t.equal(node.status.conditions.find((c: { type: string }) => c.type === 'Ready').status, 'True')

  // The pause image is the only image there is: a pod of it runs, gets an address from the pod range
  // and no default route, and nothing of it shows in the host's own network.
  await cluster.kubectl(['run', 'sandbox', '--image', await pauseImage(), '--image-pull-policy=Never', '--restart=Never'])
  await cluster.kubectl(['wait', '--for=condition=Ready', 'pod/sandbox', '--timeout=120s'])
  const ip = (await cluster.kubectl(['get', 'pod', 'sandbox', '-o', 'jsonpath={.status.podIP}'])).trim()
  t.match(ip, /^198\.18\.0\.\d+$/, 'the pod address comes from 198.18.0.0/24')
  const routes = await cluster.netns.run(['ip', 'route'])
  t.notMatch(routes, /^default/m, 'the cluster namespace has no default route')
  const during = await readHostState()
  t.same(during.iptables, before.iptables, 'kube-proxy and the kubelet write their rules inside the namespace only')
  t.same(during.links, before.links, 'the bridge and the pods\' links are inside the namespace')

  await cluster.down()
  t.same(compareHostState(before, await readHostState()), [], 'nothing left behind')
})

test('a cluster whose owner was killed is cleaned up by zerodown-cluster down', { skip: clusterSkip }, async (t) => {
  const before = await hostStateWithoutStaleClusters()
  const owner = spawn(process.execPath, [CLI, 'up'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  owner.stdout.setEncoding('utf8').on('data', (chunk: string) => { out += chunk })
  for (let waited = 0; !out.includes('folder:') && owner.exitCode === null && waited < 300_000; waited += 250) {
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  t.match(out, /kubectl: nsenter --net=/, 'the cluster came up')
  owner.kill('SIGKILL')
  await once(owner, 'close')
  t.equal((await staleRuns()).length, 1, 'its record says what to clean')
  const down = spawn(process.execPath, [CLI, 'down'], { stdio: ['ignore', 'ignore', 'pipe'] })
  let err = ''
  down.stderr.setEncoding('utf8').on('data', (chunk: string) => { err += chunk })
  const [code] = await once(down, 'close')
  t.equal(code, 0)
  t.match(err, /cleaned up 1 cluster/)
  t.same(compareHostState(before, await readHostState()), [], 'nothing left behind')
})
