// --kube-version: the same values rendered for an older Kubernetes pick what it knows, and lint refuses
// what it lacks, naming the value and the version that brought it.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { test } from 'tap'
import { parseAllDocuments } from 'yaml'
import { check, lint, parseKubeVersion, render, supports, KUBE_FEATURES, type KubernetesObject, type ValuesOverride } from '../src/index.js'
import { checkOpenApi } from '../src/openapi.js'

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url))
const env = { ...process.env, NODE_OPTIONS: '' }
const byKind = (objects: KubernetesObject[], kind: string): any => objects.find((o) => o.kind === kind)
const container = (objects: KubernetesObject[]): any => byKind(objects, 'Deployment').spec.template.spec.containers[0]
const spread = (objects: KubernetesObject[]): any[] => byKind(objects, 'Deployment').spec.template.spec.topologySpreadConstraints

const autoscaled: ValuesOverride = { autoscaling: { enabled: true } }

test('the version forms kubectl and helm print are read; older and malformed ones are refused by name', async (t) => {
  t.same(parseKubeVersion('1.20'), { major: 1, minor: 20 })
  t.same(parseKubeVersion('v1.29.4'), { major: 1, minor: 29 })
  t.same(parseKubeVersion('v1.27.3-gke.100'), { major: 1, minor: 27 })
  t.same(parseKubeVersion('1.31.0+k3s1'), { major: 1, minor: 31 })
  for (const bad of ['', '1', 'latest', '2.0', 'v1.x', '1.20 ', '01.20.x']) {
    t.throws(() => parseKubeVersion(bad), { code: 'FST_ZERODOWN_DEPLOY_INVALID_ARGUMENT', message: /kube version: expected a Kubernetes version like 1\.30/ }, bad)
  }
  t.throws(() => parseKubeVersion('1.19'), { message: /expected 1\.20 or later .* got "1\.19"/ })
  t.throws(() => render({}, { kubeVersion: '1.19' }), { code: 'FST_ZERODOWN_DEPLOY_INVALID_ARGUMENT' })
})

test('without a target the chart renders for the current Kubernetes: every feature is there', async (t) => {
  for (const feature of Object.keys(KUBE_FEATURES) as Array<keyof typeof KUBE_FEATURES>) t.ok(supports(undefined, feature), feature)
  const objects = render({ ...autoscaled })
  t.same(container(objects).lifecycle.preStop, { sleep: { seconds: 5 } })
  t.equal(byKind(objects, 'PodDisruptionBudget').apiVersion, 'policy/v1')
  t.equal(byKind(objects, 'HorizontalPodAutoscaler').apiVersion, 'autoscaling/v2')
  t.same(spread(objects)[0].matchLabelKeys, ['pod-template-hash'])
})

test('Kubernetes 1.20: exec preStop, policy/v1beta1, autoscaling/v2beta2, no matchLabelKeys; each object passes its schema', async (t) => {
  const objects = render({ ...autoscaled }, { kubeVersion: '1.20' })
  t.same(container(objects).lifecycle.preStop, { exec: { command: ['sleep', '5'] } })
  t.equal(byKind(objects, 'PodDisruptionBudget').apiVersion, 'policy/v1beta1')
  t.equal(byKind(objects, 'HorizontalPodAutoscaler').apiVersion, 'autoscaling/v2beta2')
  t.same(byKind(objects, 'HorizontalPodAutoscaler').spec.behavior.scaleDown.stabilizationWindowSeconds, 600)
  t.equal(spread(objects).length, 2)
  for (const constraint of spread(objects)) t.notOk('matchLabelKeys' in constraint)
  for (const object of objects) t.same(checkOpenApi(object), [], `${object.apiVersion} ${object.kind}`)
})

test('each feature switches at the version that brought it', async (t) => {
  const at = (minor: number): KubernetesObject[] => render({ ...autoscaled }, { kubeVersion: `1.${minor}` })
  t.equal(byKind(at(21), 'PodDisruptionBudget').apiVersion, 'policy/v1')
  t.equal(byKind(at(22), 'HorizontalPodAutoscaler').apiVersion, 'autoscaling/v2beta2')
  t.equal(byKind(at(23), 'HorizontalPodAutoscaler').apiVersion, 'autoscaling/v2')
  t.notOk('matchLabelKeys' in spread(at(26))[0])
  t.same(spread(at(27))[0].matchLabelKeys, ['pod-template-hash'])
  t.ok('exec' in container(at(29)).lifecycle.preStop)
  t.ok('sleep' in container(at(30)).lifecycle.preStop)
})

test('an explicit preStop mode wins over the target; "sleep" is refused where the target lacks it', async (t) => {
  t.same(container(render({ shutdown: { preStop: { mode: 'exec' } } }, { kubeVersion: '1.33' })).lifecycle.preStop, { exec: { command: ['sleep', '5'] } })
  const problems = lint({ shutdown: { preStop: { mode: 'sleep' } } }, { kubeVersion: '1.29' })
  t.equal(problems.length, 1)
  t.equal(problems[0]!.path, 'shutdown.preStop.mode')
  t.match(problems[0]!.message, /Kubernetes 1\.29, lacks the preStop sleep action \(Kubernetes 1\.30\).*use "auto"/)
  t.same(lint({ shutdown: { preStop: { mode: 'sleep' } } }, { kubeVersion: '1.30' }), [])
  // No hook at all when the sleep is 0: nothing for the target to lack.
  t.same(lint({ shutdown: { preStop: { mode: 'sleep', sleepSeconds: 0 } } }, { kubeVersion: '1.20' }), [])
})

test('native sidecars and the Gateway API v1 route are refused for targets that lack them', async (t) => {
  const sidecar: ValuesOverride = { sidecars: [{ name: 'proxy', image: 'example/proxy:1.0' }] }
  const [problem] = lint(sidecar, { kubeVersion: '1.28' })
  t.equal(problem?.path, 'sidecars')
  t.match(problem?.message, /lacks native sidecars .* \(Kubernetes 1\.29\)/)
  t.same(lint(sidecar, { kubeVersion: '1.29' }), [])
  const gateway: ValuesOverride = { gateway: { enabled: true, parentRefs: [{ name: 'shared' }] } }
  t.same(lint(gateway, { kubeVersion: '1.24' }).map((p) => p.path), ['gateway.enabled'])
  t.same(lint(gateway, { kubeVersion: '1.25' }), [])
  // Without a target nothing is refused for its version.
  t.same(check({ ...sidecar, ...gateway }).problems, [])
})

test('the CLI: render and lint take --kube-version; a bad one is exit 2 naming it', async (t) => {
  const run = (args: string[]): ReturnType<typeof spawnSync> => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env })
  const rendered = run(['render', 'shop', '--kube-version', 'v1.20.2'])
  t.equal(rendered.status, 0, String(rendered.stderr))
  const kinds = parseAllDocuments(String(rendered.stdout)).map((doc) => `${doc.get('apiVersion') as string} ${doc.get('kind') as string}`)
  t.ok(kinds.includes('policy/v1beta1 PodDisruptionBudget'), kinds.join(', '))
  const linted = run(['lint', '--kube-version', '1.20', '--set', 'shutdown.preStop.mode=sleep'])
  t.equal(linted.status, 1)
  t.match(String(linted.stderr), /shutdown\.preStop\.mode: shutdown\.preStop\.mode "sleep": the target, Kubernetes 1\.20, lacks/)
  const bad = run(['lint', '--kube-version', '1.2x'])
  t.equal(bad.status, 2)
  t.match(String(bad.stderr), /Invalid kube version: expected a Kubernetes version like 1\.30 or v1\.20\.2, got "1\.2x"/)
  t.match(String(run(['--help']).stdout), /--kube-version V/)
})
