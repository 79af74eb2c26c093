import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { test } from 'tap'
import { parse, parseAllDocuments } from 'yaml'
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment'
import {
  CHART_ENV, chartMetadata, check, collectOverrides, defaultValues, PROPAGATION_ANNOTATION, render, renderObjects, shutdownBudget, toYaml,
  type KubernetesObject, type ValuesOverride
} from '../src/index.js'
import { checkOpenApi } from '../src/openapi.js'

// Everything optional switched on, so every template is rendered and validated.
const everything: ValuesOverride = {
  autoscaling: { enabled: true },
  networkPolicy: { enabled: true, from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }] },
  ingress: { enabled: true, className: 'nginx', tlsSecretName: 'app-tls', annotations: { 'nginx.ingress.kubernetes.io/proxy-read-timeout': '30' } },
  config: { LOG_LEVEL: 'info', FEATURE_X: 'on' },
  probes: { port: 9000 },
  service: { type: 'NodePort', nodePort: 30080 },
  shutdown: { propagationSeconds: 8, preStop: { mode: 'exec' } },
  container: { command: ['node'], args: ['dist/server.js'], env: { NODE_OPTIONS: '--enable-source-maps' } },
  image: { digest: 'sha256:' + 'a'.repeat(64) },
  imagePullSecrets: ['registry'],
  nodeSelector: { 'kubernetes.io/os': 'linux' },
  podAnnotations: { 'prometheus.io/scrape': 'true' },
  serviceAccount: { annotations: { 'iam.example.com/role': 'app' } }
}

const deploymentOf = (objects: KubernetesObject[]): IDeployment => {
  const found = objects.find((object) => object.kind === 'Deployment')
  if (found === undefined) throw new Error('no Deployment rendered')
  return found as IDeployment
}
const containerOf = (objects: KubernetesObject[]) => {
  const container = deploymentOf(objects).spec?.template.spec?.containers[0]
  if (container === undefined) throw new Error('no container rendered')
  return container
}

test('the default render, reviewed as a snapshot', async (t) => {
  t.matchSnapshot(toYaml(render()), 'default values, release "zerodown"')
})

test('the defaults render the safe rollout the chart promises', async (t) => {
  const objects = render({}, { release: 'shop' })
  t.same(objects.map((object) => object.kind), ['ServiceAccount', 'Service', 'Deployment', 'PodDisruptionBudget'])
  const deployment = deploymentOf(objects)
  t.match(deployment.spec, {
    replicas: 3,
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
    minReadySeconds: 5,
    progressDeadlineSeconds: 600,
    revisionHistoryLimit: 5
  })
  const pod = deployment.spec?.template.spec
  t.equal(pod?.terminationGracePeriodSeconds, 30)
  t.equal(pod?.automountServiceAccountToken, false)
  t.same(pod?.securityContext, { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } })
  t.same(pod?.volumes, [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }])
  t.same(pod?.topologySpreadConstraints?.map((constraint) => [constraint.topologyKey, constraint.matchLabelKeys]), [
    ['topology.kubernetes.io/zone', ['pod-template-hash']],
    ['kubernetes.io/hostname', ['pod-template-hash']]
  ])
  const container = containerOf(objects)
  t.same(container.env, [
    { name: 'ZERODOWN_APP_VERSION', value: '0.1.0' },
    { name: 'PORT', value: '8080' },
    { name: 'ZERODOWN_DRAIN_DELAY_MS', value: '5000' },
    { name: 'ZERODOWN_SHUTDOWN_TIMEOUT_MS', value: '20000' },
    { name: 'ZERODOWN_PROBE_LIVENESS_PATH', value: '/livez' },
    { name: 'ZERODOWN_PROBE_READINESS_PATH', value: '/readyz' },
    { name: 'ZERODOWN_PROBE_STARTUP_PATH', value: '/startupz' },
    { name: 'ZERODOWN_PROBE_CHECK_TIMEOUT_MS', value: '500' }
  ], 'no ZERODOWN_PROBE_PORT while the probes share the app port')
  t.same(deployment.metadata?.annotations, { 'zerodown.dev/propagation-seconds': '5' })
  t.same([container.startupProbe?.httpGet, container.readinessProbe?.httpGet, container.livenessProbe?.httpGet], [
    { path: '/startupz', port: 'http' }, { path: '/readyz', port: 'http' }, { path: '/livez', port: 'http' }
  ])
  t.same(container.lifecycle, { preStop: { sleep: { seconds: 5 } } })
  t.same(container.securityContext, { runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } })
  t.same(container.volumeMounts, [{ name: 'tmp', mountPath: '/tmp' }])
  const service = objects.find((object) => object.kind === 'Service')
  t.match(service, { spec: { type: 'ClusterIP', ports: [{ port: 80, targetPort: 'http' }] } })
  t.match(objects.find((object) => object.kind === 'ServiceAccount'), { automountServiceAccountToken: false })
})

test('the default budget fits Kubernetes\' 30 s grace period and the shutdown plugin defaults', async (t) => {
  const budget = shutdownBudget(defaultValues())
  // T 20 > d 5; S 5 + d 5 = 10 >= P 5; S 5 + T 20 + m 5 = 30 <= G 30
  t.same(budget, {
    propagationSeconds: 5, preStopSeconds: 5, drainDelaySeconds: 5, timeoutSeconds: 20, marginSeconds: 5, graceSeconds: 30, acceptingSeconds: 10, neededSeconds: 30
  })
  // @zerodown/shutdown defaults in Kubernetes: drainDelay 5000 ms, timeout 20000 ms.
  const env = containerOf(render()).env ?? []
  t.equal(env.find((entry) => entry.name === 'ZERODOWN_DRAIN_DELAY_MS')?.value, '5000')
  t.equal(env.find((entry) => entry.name === 'ZERODOWN_SHUTDOWN_TIMEOUT_MS')?.value, '20000')
})

test('every variable the chart renders comes from its value', async (t) => {
  const overrides: ValuesOverride = {
    image: { tag: '2.3.4' },
    container: { port: 3000 },
    probes: { port: 9090, checkTimeoutMs: 250, liveness: { path: '/alive' }, readiness: { path: '/ready' }, startup: { path: '/started' } },
    shutdown: { drainDelaySeconds: 7, timeoutSeconds: 19 }
  }
  const env = Object.fromEntries((containerOf(render(overrides)).env ?? []).map((entry) => [entry.name, entry.value]))
  t.same(env, {
    ZERODOWN_APP_VERSION: '2.3.4',
    PORT: '3000',
    ZERODOWN_DRAIN_DELAY_MS: '7000',
    ZERODOWN_SHUTDOWN_TIMEOUT_MS: '19000',
    ZERODOWN_PROBE_PORT: '9090',
    ZERODOWN_PROBE_LIVENESS_PATH: '/alive',
    ZERODOWN_PROBE_READINESS_PATH: '/ready',
    ZERODOWN_PROBE_STARTUP_PATH: '/started',
    ZERODOWN_PROBE_CHECK_TIMEOUT_MS: '250'
  })
  t.same(Object.keys(env), Object.keys(CHART_ENV), 'exactly the names the package exports, in its order')
})

test('P is a Deployment annotation, outside the pod template, so changing it rolls no pod', async (t) => {
  const at = (propagationSeconds: number): IDeployment => deploymentOf(render({ shutdown: { propagationSeconds } }))
  const five = at(5)
  const ten = at(10)
  t.equal(PROPAGATION_ANNOTATION, 'zerodown.dev/propagation-seconds')
  t.equal(five.metadata?.annotations?.[PROPAGATION_ANNOTATION], '5')
  t.equal(ten.metadata?.annotations?.[PROPAGATION_ANNOTATION], '10')
  t.same(five.spec?.template, ten.spec?.template, 'the pod template is the same')
  t.notOk(PROPAGATION_ANNOTATION in (five.spec?.template.metadata?.annotations ?? {}))
  for (const object of render({ shutdown: { propagationSeconds: 10 } })) {
    if (object.kind !== 'Deployment') t.notOk(object.metadata?.annotations?.[PROPAGATION_ANNOTATION], `not on the ${object.kind}`)
  }
})

test('labels follow app.kubernetes.io; selectors use name and instance only', async (t) => {
  for (const object of render(everything, { release: 'shop' })) {
    t.same(object.metadata?.labels, {
      'app.kubernetes.io/name': 'zerodown',
      'app.kubernetes.io/instance': 'shop',
      'app.kubernetes.io/version': '0.1.0',
      'app.kubernetes.io/component': 'server',
      'app.kubernetes.io/part-of': 'zerodown',
      'app.kubernetes.io/managed-by': 'zerodown-deploy'
    }, `${object.kind} labels`)
    t.equal(object.metadata?.name, 'shop-zerodown', `${object.kind} name`)
  }
  const selector = { 'app.kubernetes.io/name': 'zerodown', 'app.kubernetes.io/instance': 'shop' }
  const objects = render(everything, { release: 'shop' })
  const byKind = (kind: string): any => objects.find((object) => object.kind === kind)
  t.same(byKind('Deployment').spec.selector, { matchLabels: selector })
  t.same(byKind('Service').spec.selector, selector)
  t.same(byKind('PodDisruptionBudget').spec.selector, { matchLabels: selector })
  t.same(byKind('NetworkPolicy').spec.podSelector, { matchLabels: selector })
})

test('names are trimmed to 63 characters like Helm, without a trailing "-"', async (t) => {
  // 52 characters + "-zerodown" is 61: kept whole.
  const release = 'a'.repeat(52)
  t.equal(render({}, { release })[0]?.metadata?.name, `${release}-zerodown`)
  // Longer is cut at 63 and loses the "-" the cut leaves at the end: 53 + "-" + "bbbbbbbb-" is 63.
  const cut = render({ nameOverride: 'bbbbbbbb-cc' }, { release: 'a'.repeat(53) })[0]?.metadata?.name
  t.equal(cut, `${'a'.repeat(53)}-bbbbbbbb`)
  t.equal(render({ fullnameOverride: 'x'.repeat(63) })[0]?.metadata?.name, 'x'.repeat(63))
  t.equal(render({}, { release: 'zerodown-prod' })[0]?.metadata?.name, 'zerodown-prod', 'a release containing the name is the name')
  t.throws(() => render({}, { release: 'Shop' }), { code: 'FST_ZERODOWN_DEPLOY_INVALID_ARGUMENT', message: /Invalid release name: expected at most 53 lowercase/ })
  t.throws(() => render({}, { release: 'a'.repeat(54) }), { code: 'FST_ZERODOWN_DEPLOY_INVALID_ARGUMENT' })
  t.throws(() => render({}, { namespace: 'Prod_1' }), { message: 'Invalid namespace: expected a DNS label: at most 63 lowercase letters, digits and "-", got "Prod_1"' })
})

test('optional objects and values render as documented', async (t) => {
  const objects = render(everything, { release: 'shop', namespace: 'prod' })
  t.same(objects.map((object) => object.kind), [
    'ServiceAccount', 'ConfigMap', 'Service', 'Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'NetworkPolicy', 'Ingress'
  ])
  for (const object of objects) t.equal(object.metadata?.namespace, 'prod', `${object.kind} namespace`)
  const deployment = deploymentOf(objects)
  t.notOk('replicas' in (deployment.spec ?? {}), 'with an autoscaler the Deployment leaves replicas alone')
  const container = containerOf(objects)
  t.equal(container.image, `ghcr.io/zerodown/demo:0.1.0@sha256:${'a'.repeat(64)}`)
  t.same(container.ports, [{ name: 'http', containerPort: 8080, protocol: 'TCP' }, { name: 'probes', containerPort: 9000, protocol: 'TCP' }])
  t.equal(container.readinessProbe?.httpGet?.port, 'probes')
  t.same(container.env?.map((entry) => entry.name), [...Object.keys(CHART_ENV), 'NODE_OPTIONS'], 'the chart\'s variables, then the user\'s')
  t.equal(container.env?.find((entry) => entry.name === 'ZERODOWN_PROBE_PORT')?.value, '9000')
  t.same(deployment.metadata?.annotations, { 'zerodown.dev/propagation-seconds': '8' })
  t.same(container.envFrom, [{ configMapRef: { name: 'shop-zerodown' } }])
  t.same(container.lifecycle, { preStop: { exec: { command: ['sleep', '5'] } } })
  t.same([container.command, container.args], [['node'], ['dist/server.js']])
  t.equal(deployment.spec?.template.metadata?.annotations?.['prometheus.io/scrape'], 'true')
  t.same(deployment.spec?.template.spec?.imagePullSecrets, [{ name: 'registry' }])
  t.match(objects.find((object) => object.kind === 'Service'), { spec: { type: 'NodePort', ports: [{ nodePort: 30080 }] } })
  t.match(objects.find((object) => object.kind === 'Ingress'), {
    spec: { ingressClassName: 'nginx', tls: [{ hosts: ['app.example.com'], secretName: 'app-tls' }], rules: [{ host: 'app.example.com' }] }
  })
  t.match(objects.find((object) => object.kind === 'NetworkPolicy'), { spec: { ingress: [{ ports: [{ port: 'http' }], from: [{}] }, { ports: [{ port: 'probes' }] }] } })
})

test('a zero preStop sleep renders no hook at all', async (t) => {
  const container = containerOf(render({ shutdown: { preStop: { sleepSeconds: 0 } } }))
  t.notOk('lifecycle' in container)
  t.equal(container.env?.find((entry) => entry.name === 'ZERODOWN_DRAIN_DELAY_MS')?.value, '5000')
})

test('the config checksum changes when the config does, so pods roll', async (t) => {
  const checksum = (config: Record<string, string>): string | undefined =>
    deploymentOf(render({ config })).spec?.template.metadata?.annotations?.['checksum/config']
  t.match(checksum({}), /^[0-9a-f]{64}$/)
  t.equal(checksum({ A: '1', B: '2' }), checksum({ B: '2', A: '1' }), 'key order does not matter')
  t.not(checksum({ A: '1' }), checksum({ A: '2' }))
})

test('every rendered object passes the Kubernetes OpenAPI schema', async (t) => {
  for (const overrides of [{}, everything, { service: { type: 'LoadBalancer' as const } }, { serviceAccount: { create: false } }]) {
    const objects = render(overrides)
    for (const object of objects) t.same(checkOpenApi(object), [], `${object.kind} is valid`)
  }
  // The validation is real: a broken object is caught and named.
  const broken = structuredClone(deploymentOf(render())) as any
  broken.spec.template.spec.containers[0].ports[0].containerPort = 'http'
  t.same(checkOpenApi(broken), [{
    path: 'Deployment/zerodown spec.template.spec.containers.0.ports.0.containerPort',
    message: 'must be integer (Kubernetes OpenAPI schema)'
  }])
})

test('the YAML round-trips to the same objects', async (t) => {
  for (const overrides of [{}, everything]) {
    const objects = render(overrides)
    const documents = parseAllDocuments(toYaml(objects))
    if (!Array.isArray(documents)) throw new Error('not a YAML stream')
    t.same(documents.map((document) => document.errors), objects.map(() => []))
    t.same(documents.map((document) => document.toJS()), objects)
  }
})

test('values.yaml documents every value, and the chart metadata agrees with it', async (t) => {
  const lines = readFileSync(new URL('../values.yaml', import.meta.url), 'utf8').split('\n')
  const undocumented = lines.flatMap((line, index) => {
    if (!/^\s*[A-Za-z]+:/.test(line)) return []
    const indent = line.search(/\S/)
    const above = lines[index - 1] ?? ''
    // A key is documented by the comment right above it (resource quantities by their resources comment).
    return above.trim().startsWith('#') && above.search(/\S/) === indent ? [] : [line.trim()]
  }).filter((line) => !/^(cpu|memory): /.test(line)).filter((line) => !/^(image|rollout|container|resources|requests|limits|probes|startup|readiness|liveness|shutdown|preStop|securityContext|serviceAccount|service|podDisruptionBudget|autoscaling|networkPolicy|ingress):$/.test(line))
  t.same(undocumented, [], 'every leaf value has a comment right above it')
  const chart = chartMetadata()
  t.match(chart, { name: 'zerodown', version: /^\d+\.\d+\.\d+$/, appVersion: defaultValues().image.tag })
  t.equal(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version, chart.version, 'the chart version is the package version')
})

test('the README values table lists every value with its default', async (t) => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  const leaves = (value: unknown, path: string): Array<[string, unknown]> =>
    typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length > 0
      ? Object.entries(value).flatMap(([key, child]) => leaves(child, path === '' ? key : `${path}.${key}`))
      : [[path, value]]
  for (const [path, value] of leaves(defaultValues(), '')) {
    const shown = typeof value === 'string' && value !== '' ? value : JSON.stringify(value)
    const row = (text: string): string => `| \`${path}\` | \`${text}\` |`
    t.ok(readme.includes(row(shown)) || readme.includes(row(JSON.stringify(value))), `${path} = ${shown}`)
  }
})

test('the example values files pass lint, with the budgets their comments add up', async (t) => {
  const budgets: Record<string, object> = {
    // T 10 > d 1; S 3 + d 1 = 4 >= P 2; S 3 + T 10 + m 2 = 15 <= G 15
    'rehearsal.yaml': { propagationSeconds: 2, preStopSeconds: 3, drainDelaySeconds: 1, timeoutSeconds: 10, marginSeconds: 2, graceSeconds: 15, acceptingSeconds: 4, neededSeconds: 15 },
    // T 40 > d 5; S 10 + d 5 = 15 >= P 15; S 10 + T 40 + m 5 = 55 <= G 55
    'production.yaml': { propagationSeconds: 15, preStopSeconds: 10, drainDelaySeconds: 5, timeoutSeconds: 40, marginSeconds: 5, graceSeconds: 55, acceptingSeconds: 15, neededSeconds: 55 }
  }
  for (const [name, budget] of Object.entries(budgets)) {
    const file = fileURLToPath(new URL(`../examples/${name}`, import.meta.url))
    const { values, objects, problems } = check(collectOverrides({ files: [file] }))
    t.same(problems, [], name)
    t.ok(objects.length >= 4, `${name} renders`)
    t.same(shutdownBudget(values), budget, `${name} budget`)
    t.equal(deploymentOf(objects).metadata?.annotations?.[PROPAGATION_ANNOTATION], String((budget as { propagationSeconds: number }).propagationSeconds))
  }
})

test('the README works as published: links reach shipped files or the repository, no monorepo commands', async (t) => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  const files = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).files as string[]).filter((entry) => !entry.startsWith('!'))
  const links = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1] ?? '')
  t.ok(links.length > 0)
  for (const link of links) {
    if (link.startsWith('https://')) continue
    const path = link.replace(/#.*$/, '')
    t.ok(files.some((entry) => path === entry || path.startsWith(`${entry}/`)), `${link} is a file the package ships`)
    t.ok(existsSync(new URL(`../${path}`, import.meta.url)), `${link} exists`)
  }
  t.notMatch(readme, /pnpm (--filter|-F|-r)\b|workspace:/, 'no command that only works in the monorepo')
})

test('check() renders nothing while the schema fails, and parses values.yaml exactly', async (t) => {
  const result = check({ replicas: 'three' } as unknown as ValuesOverride)
  t.same(result.objects, [])
  t.same(result.problems, [{ path: 'replicas', message: 'must be an integer' }])
  t.same(parse(readFileSync(new URL('../values.yaml', import.meta.url), 'utf8')), defaultValues())
  t.same(renderObjects(defaultValues()), render())
})
