import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { test } from 'tap'
import { parse, parseAllDocuments } from 'yaml'
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment'
import {
  CHART_ENV, chartMetadata, check, collectOverrides, defaultValues, lint, PROPAGATION_ANNOTATION, render, renderObjects, shutdownBudget, toYaml,
  type KubernetesObject, type ValuesOverride
} from '../src/index.js'
import { checkOpenApi } from '../src/openapi.js'

// Everything optional switched on, so every template is rendered and validated.
const everything: ValuesOverride = {
  autoscaling: {
    enabled: true,
    targetMemoryUtilizationPercentage: 80,
    metrics: [{ type: 'Pods', pods: { metric: { name: 'http_requests_per_second' }, target: { type: 'AverageValue', averageValue: '100' } } }]
  },
  networkPolicy: { enabled: true, from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }] },
  ingress: {
    enabled: true,
    className: 'nginx',
    hosts: [
      { host: 'app.example.com', paths: [{ path: '/', pathType: 'Prefix' }, { path: '/api/health', pathType: 'Exact' }] },
      { host: '*.apps.example.com', paths: [{ path: '/', pathType: 'ImplementationSpecific' }] }
    ],
    tls: [{ secretName: 'app-tls', hosts: ['app.example.com'] }, { secretName: 'apps-wildcard-tls', hosts: ['*.apps.example.com'] }],
    annotations: { 'nginx.ingress.kubernetes.io/proxy-read-timeout': '30' }
  },
  gateway: {
    enabled: true,
    parentRefs: [{ name: 'shared', namespace: 'infra', sectionName: 'https' }],
    hostnames: ['app.example.com'],
    rules: [
      { matches: [{ path: { type: 'PathPrefix', value: '/' } }], timeouts: { request: '30s' } },
      { matches: [{ path: { type: 'Exact', value: '/legacy' } }], filters: [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplaceFullPath', replaceFullPath: '/' } } }] }
    ],
    annotations: { 'example.com/route': 'public' }
  },
  config: { LOG_LEVEL: 'info', FEATURE_X: 'on' },
  probes: { port: 9000 },
  service: { type: 'NodePort', nodePort: 30080 },
  shutdown: { propagationSeconds: 8, preStop: { mode: 'exec' } },
  container: {
    command: ['node'],
    args: ['dist/server.js'],
    env: { NODE_OPTIONS: '--enable-source-maps' },
    extraEnv: [
      { name: 'DATABASE_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
      { name: 'FEATURE_FLAGS', valueFrom: { configMapKeyRef: { name: 'flags', key: 'all', optional: true } } },
      { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'REGION', value: 'eu-west-1' }
    ],
    envFrom: [{ secretRef: { name: 'app-secrets' } }, { configMapRef: { name: 'shared-config', optional: true } }],
    extraVolumeMounts: [{ name: 'certs', mountPath: '/etc/certs', readOnly: true }, { name: 'cache', mountPath: '/var/cache/app' }]
  },
  extraVolumes: [{ name: 'certs', secret: { secretName: 'app-certs' } }, { name: 'cache', emptyDir: { sizeLimit: '1Gi' } }],
  initContainers: [{ name: 'migrate', image: 'ghcr.io/zerodown/demo:0.1.0', command: ['node', 'dist/migrate.js'] }],
  sidecars: [{ name: 'proxy', image: 'envoyproxy/envoy:v1.30.1', ports: [{ name: 'admin', containerPort: 9901 }], securityContext: { runAsUser: 101 } }],
  tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'web', effect: 'NoSchedule' }],
  affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'zerodown' } } } }] } },
  priorityClassName: 'high-priority',
  hostAliases: [{ ip: '10.0.0.10', hostnames: ['db.internal'] }],
  podLabels: { tier: 'web' },
  commonLabels: { team: 'shop' },
  commonAnnotations: { 'example.com/owner': 'shop-team' },
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
      team: 'shop',
      'app.kubernetes.io/name': 'zerodown',
      'app.kubernetes.io/instance': 'shop',
      'app.kubernetes.io/version': '0.1.0',
      'app.kubernetes.io/component': 'server',
      'app.kubernetes.io/part-of': 'zerodown',
      'app.kubernetes.io/managed-by': 'zerodown-deploy'
    }, `${object.kind} labels`)
    t.equal(object.metadata?.name, object.kind === 'ConfigMap' ? 'shop-zerodown-300b1f0d46' : 'shop-zerodown', `${object.kind} name`)
    t.equal(object.metadata?.annotations?.['example.com/owner'], 'shop-team', `${object.kind} carries commonAnnotations`)
  }
  const selector = { 'app.kubernetes.io/name': 'zerodown', 'app.kubernetes.io/instance': 'shop' }
  const objects = render(everything, { release: 'shop' })
  const byKind = (kind: string): any => objects.find((object) => object.kind === kind)
  t.same(byKind('Deployment').spec.selector, { matchLabels: selector })
  t.same(byKind('Service').spec.selector, selector)
  t.same(byKind('PodDisruptionBudget').spec.selector, { matchLabels: selector })
  t.same(byKind('NetworkPolicy').spec.podSelector, { matchLabels: selector })
  const pod = byKind('Deployment').spec.template.metadata
  t.same(pod.labels, { team: 'shop', tier: 'web', ...byKind('Deployment').metadata.labels }, 'pods get commonLabels and podLabels, under the chart\'s own')
  t.notOk('example.com/owner' in pod.annotations, 'commonAnnotations stay off the pods, so changing them rolls nothing')
  t.same(lint({ commonLabels: { 'app.kubernetes.io/instance': 'other' } }).map((problem) => problem.path), ['commonLabels["app.kubernetes.io/instance"]'])
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
    'ServiceAccount', 'ConfigMap', 'Service', 'Deployment', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'NetworkPolicy', 'Ingress', 'HTTPRoute'
  ])
  for (const object of objects) t.equal(object.metadata?.namespace, 'prod', `${object.kind} namespace`)
  const deployment = deploymentOf(objects)
  t.notOk('replicas' in (deployment.spec ?? {}), 'with an autoscaler the Deployment leaves replicas alone')
  const container = containerOf(objects)
  t.equal(container.image, `ghcr.io/zerodown/demo:0.1.0@sha256:${'a'.repeat(64)}`)
  t.same(container.ports, [{ name: 'http', containerPort: 8080, protocol: 'TCP' }, { name: 'probes', containerPort: 9000, protocol: 'TCP' }])
  t.equal(container.readinessProbe?.httpGet?.port, 'probes')
  t.same(container.env?.map((entry) => entry.name), [...Object.keys(CHART_ENV), 'NODE_OPTIONS', 'DATABASE_PASSWORD', 'FEATURE_FLAGS', 'POD_IP', 'REGION'], 'the chart\'s variables, then env, then extraEnv')
  t.equal(container.env?.find((entry) => entry.name === 'ZERODOWN_PROBE_PORT')?.value, '9000')
  t.same(deployment.metadata?.annotations, { 'example.com/owner': 'shop-team', 'zerodown.dev/propagation-seconds': '8' })
  t.same(container.envFrom, [{ configMapRef: { name: 'shop-zerodown-300b1f0d46' } }, { secretRef: { name: 'app-secrets' } }, { configMapRef: { name: 'shared-config', optional: true } }])
  t.same(container.lifecycle, { preStop: { exec: { command: ['sleep', '5'] } } })
  t.same([container.command, container.args], [['node'], ['dist/server.js']])
  t.equal(deployment.spec?.template.metadata?.annotations?.['prometheus.io/scrape'], 'true')
  t.same(deployment.spec?.template.spec?.imagePullSecrets, [{ name: 'registry' }])
  t.match(objects.find((object) => object.kind === 'Service'), { spec: { type: 'NodePort', ports: [{ nodePort: 30080 }] } })
  const backend = { service: { name: 'shop-zerodown', port: { name: 'http' } } }
  t.same((objects.find((object) => object.kind === 'Ingress') as any).spec, {
    rules: [
      { host: 'app.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend }, { path: '/api/health', pathType: 'Exact', backend }] } },
      { host: '*.apps.example.com', http: { paths: [{ path: '/', pathType: 'ImplementationSpecific', backend }] } }
    ],
    ingressClassName: 'nginx',
    tls: [{ hosts: ['app.example.com'], secretName: 'app-tls' }, { hosts: ['*.apps.example.com'], secretName: 'apps-wildcard-tls' }]
  })
  t.match(objects.find((object) => object.kind === 'NetworkPolicy'), { spec: { ingress: [{ ports: [{ port: 'http' }], from: [{}] }, { ports: [{ port: 'probes' }] }] } })
})

test('a zero preStop sleep renders no hook at all', async (t) => {
  const container = containerOf(render({ shutdown: { preStop: { sleepSeconds: 0 } } }))
  t.notOk('lifecycle' in container)
  t.equal(container.env?.find((entry) => entry.name === 'ZERODOWN_DRAIN_DELAY_MS')?.value, '5000')
})

test('the ConfigMap is named by a hash of its content, so a rollback brings the old config back with the pods', async (t) => {
  const at = (config: Record<string, string>) => {
    const objects = render({ config })
    const map = objects.find((object) => object.kind === 'ConfigMap')
    const template = deploymentOf(objects).spec?.template
    return { name: map?.metadata?.name, ref: template?.spec?.containers[0]?.envFrom?.[0]?.configMapRef?.name, checksum: template?.metadata?.annotations?.['checksum/config'] }
  }
  const one = at({ A: '1', B: '2' })
  t.match(one.name, /^zerodown-[0-9a-f]{10}$/)
  t.equal(one.ref, one.name, 'the pods load the ConfigMap by its hashed name')
  t.equal(one.checksum?.slice(0, 10), one.name?.slice(-10), 'the checksum annotation is the hash the name carries')
  t.same(at({ B: '2', A: '1' }), one, 'key order does not matter')
  const two = at({ A: '1', B: '3' })
  t.not(two.name, one.name, 'new content, new ConfigMap: the old one stays for the old ReplicaSet')
  t.not(two.checksum, one.checksum)
  const none = deploymentOf(render()).spec?.template
  t.notOk(none?.metadata?.annotations, 'no ConfigMap, no checksum annotation')
  t.notOk(none?.spec?.containers[0]?.envFrom)
})

test('extraEnv, envFrom, volumes, init containers and native sidecars render as given, hardened', async (t) => {
  const objects = render(everything, { release: 'shop' })
  const pod = deploymentOf(objects).spec?.template.spec
  const container = containerOf(objects)
  t.same(container.env?.find((entry) => entry.name === 'DATABASE_PASSWORD'), { name: 'DATABASE_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } })
  t.same(container.env?.find((entry) => entry.name === 'POD_IP'), { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } })
  t.same(pod?.volumes, [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }, { name: 'certs', secret: { secretName: 'app-certs' } }, { name: 'cache', emptyDir: { sizeLimit: '1Gi' } }])
  t.same(container.volumeMounts, [{ name: 'tmp', mountPath: '/tmp' }, { name: 'certs', mountPath: '/etc/certs', readOnly: true }, { name: 'cache', mountPath: '/var/cache/app' }])
  const hardened = { runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } }
  t.same(pod?.initContainers, [
    { name: 'proxy', image: 'envoyproxy/envoy:v1.30.1', ports: [{ name: 'admin', containerPort: 9901 }], restartPolicy: 'Always', securityContext: { ...hardened, runAsUser: 101 } },
    { name: 'migrate', image: 'ghcr.io/zerodown/demo:0.1.0', command: ['node', 'dist/migrate.js'], securityContext: hardened }
  ], 'sidecars first, as init containers with restartPolicy Always; the restricted profile unless a container sets its own')
  t.same(pod?.containers.map((one) => one.name), ['app'], 'the app stays the only regular container')
})

test('scheduling values render onto the pod', async (t) => {
  const pod = deploymentOf(render(everything)).spec?.template.spec
  t.same(pod?.tolerations, [{ key: 'dedicated', operator: 'Equal', value: 'web', effect: 'NoSchedule' }])
  t.match(pod?.affinity, { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100 }] } })
  t.equal(pod?.priorityClassName, 'high-priority')
  t.same(pod?.hostAliases, [{ ip: '10.0.0.10', hostnames: ['db.internal'] }])
  const plain = deploymentOf(render()).spec?.template.spec ?? {}
  for (const key of ['tolerations', 'affinity', 'priorityClassName', 'hostAliases', 'initContainers']) t.notOk(key in plain, `no ${key} by default`)
})

test('the HTTPRoute attaches to the Gateways and sends every rule to the Service', async (t) => {
  const route = render(everything, { release: 'shop' }).find((object) => object.kind === 'HTTPRoute') as any
  t.equal(route.apiVersion, 'gateway.networking.k8s.io/v1')
  t.same(route.metadata.annotations, { 'example.com/owner': 'shop-team', 'example.com/route': 'public' })
  const backendRefs = [{ name: 'shop-zerodown', port: 80 }]
  t.same(route.spec, {
    parentRefs: [{ name: 'shared', namespace: 'infra', sectionName: 'https' }],
    rules: [
      { matches: [{ path: { type: 'PathPrefix', value: '/' } }], timeouts: { request: '30s' }, backendRefs },
      { matches: [{ path: { type: 'Exact', value: '/legacy' } }], filters: [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplaceFullPath', replaceFullPath: '/' } } }], backendRefs }
    ],
    hostnames: ['app.example.com']
  })
  const plain = render({ gateway: { enabled: true, parentRefs: [{ name: 'shared' }] } }).find((object) => object.kind === 'HTTPRoute') as any
  t.same(plain.spec, { parentRefs: [{ name: 'shared' }], rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'zerodown', port: 80 }] }] }, 'the default rule sends everything; no hostnames takes the listener\'s')
  // The Gateway API schema is really applied: a route value the chart passes through is checked.
  t.same(lint({ gateway: { enabled: true, parentRefs: [{ name: 'shared', port: 70000 }] } }), [{
    path: 'HTTPRoute/zerodown spec.parentRefs.0.port', message: 'must be <= 65535 (Gateway API schema)'
  }])
})

test('autoscaling: CPU, memory and custom metrics, and a scale-down window that outlasts a rollout', async (t) => {
  const hpa = render(everything).find((object) => object.kind === 'HorizontalPodAutoscaler') as any
  t.same(hpa.spec.metrics, [
    { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
    { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 80 } } },
    { type: 'Pods', pods: { metric: { name: 'http_requests_per_second' }, target: { type: 'AverageValue', averageValue: '100' } } }
  ])
  t.same(hpa.spec.behavior, { scaleDown: { stabilizationWindowSeconds: 600, policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } })
  t.equal(hpa.spec.behavior.scaleDown.stabilizationWindowSeconds, defaultValues().rollout.progressDeadlineSeconds, 'the window is the default progress deadline')
  const memoryOnly = render({ autoscaling: { enabled: true, targetCPUUtilizationPercentage: null, targetMemoryUtilizationPercentage: 75, behavior: null } })
    .find((object) => object.kind === 'HorizontalPodAutoscaler') as any
  t.same(memoryOnly.spec.metrics, [{ type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 75 } } }])
  t.notOk('behavior' in memoryOnly.spec, 'behavior: null leaves Kubernetes\' defaults')
})

test('null removes a default, in overrides, values files and --set', async (t) => {
  const resources = (overrides: ValuesOverride) => containerOf(render(overrides)).resources
  t.same(resources({ container: { resources: { requests: { cpu: null }, limits: { memory: null } } } }), { requests: { memory: '128Mi' }, limits: {} })
  const dir = t.testdir({
    'base.yaml': 'container:\n  resources:\n    requests:\n      cpu: 250m\n',
    'drop.yaml': 'container:\n  resources:\n    requests:\n      cpu: ~\n    limits: null\n'
  })
  const files = collectOverrides({ files: [`${dir}/base.yaml`, `${dir}/drop.yaml`] })
  t.same(resources(files), { requests: { memory: '128Mi' } }, 'a later file\'s null removes the default and the earlier file\'s value')
  t.same(resources(collectOverrides({ set: ['container.resources.requests.cpu=null,container.resources.limits.memory=null'] })), { requests: { memory: '128Mi' }, limits: {} })
  t.same(resources(collectOverrides({ files: [`${dir}/drop.yaml`], set: ['container.resources.requests.cpu=200m'] })), { requests: { cpu: '200m', memory: '128Mi' } }, 'a later --set puts a value back')
  t.equal(deploymentOf(render({ probes: { port: null } })).spec?.template.spec?.containers[0]?.readinessProbe?.httpGet?.port, 'http', 'a default that is itself null stays null')
  t.same(lint({ image: null }), [{ path: 'image', message: 'is required' }], 'a required value cannot be removed')
})

// Strings a YAML 1.1 reader (kubectl's, PyYAML) would take for something else if written plain.
const TRICKY = ['yes', 'no', 'on', 'off', 'y', 'n', 'Y', 'NO', '~', 'null', '0x1F', '012', '0o14', '1e3', '1_000', '12:30', '.inf', '-.inf', '.nan', 'true', 'false', 'True', '=', '<<', '2026-11-29', '0b101', '+1']

test('every string a user can set reads back the same with YAML 1.1 and 1.2 readers', async (t) => {
  for (const text of TRICKY) {
    const overrides: ValuesOverride = {
      ...everything,
      component: text.replace(/[^A-Za-z0-9_.-]/g, 'x').replace(/^[^A-Za-z0-9]|[^A-Za-z0-9]$/g, 'x'),
      partOf: text.replace(/[^A-Za-z0-9_.-]/g, 'x').replace(/^[^A-Za-z0-9]|[^A-Za-z0-9]$/g, 'x'),
      config: { [`K_${text.replace(/[^A-Za-z0-9]/g, '_')}`]: text, ...(/^[A-Za-z_.-][A-Za-z0-9_.-]*$/.test(text) ? { [text]: text } : {}) },
      container: { ...everything.container, env: { DEBUG: text }, extraEnv: [{ name: 'EXTRA', value: text }], args: [text] },
      podAnnotations: { 'example.com/value': text },
      commonAnnotations: { 'example.com/owner': text },
      service: { type: 'NodePort', nodePort: 30080, annotations: { 'example.com/lb': text } },
      podLabels: /^[A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9])?$/.test(text) ? { tier: text } : {},
      nodeSelector: /^[A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9])?$/.test(text) ? { pool: text } : {}
    }
    const objects = render(overrides)
    const yaml = toYaml(objects)
    for (const version of ['1.1', '1.2'] as const) {
      const documents = parseAllDocuments(yaml, { version })
      if (!Array.isArray(documents)) throw new Error('not a YAML stream')
      t.same(documents.map((document) => document.errors), objects.map(() => []), `${text}: YAML ${version} parses`)
      t.strictSame(documents.map((document) => document.toJS()), objects, `${text}: YAML ${version} reads the same strings`)
    }
  }
  // Plain where it is safe: the output stays readable.
  t.match(toYaml(render()), /\n {4}app\.kubernetes\.io\/component: server\n/)
})

test('the OpenAPI check names an object it has no schema for, and an invalid HTTPRoute against the Gateway API schema', async (t) => {
  t.same(checkOpenApi({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'token' } } as never),
    [{ path: 'Secret/token', message: 'no OpenAPI schema for v1 Secret' }])
  t.same(checkOpenApi({ apiVersion: 'v1', kind: 'Secret' } as never), [{ path: 'Secret/(unnamed)', message: 'no OpenAPI schema for v1 Secret' }])
  const route = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'web' }, spec: { parentRefs: 'gateway' } }
  t.match(checkOpenApi(route as never), [{ path: 'HTTPRoute/web spec.parentRefs', message: /\(Gateway API schema\)$/ }])
})

test('every rendered object passes the Kubernetes OpenAPI schema', async (t) => {
  const kinds = new Set<string>()
  for (const overrides of [{}, everything, { service: { type: 'LoadBalancer' as const } }, { serviceAccount: { create: false } }]) {
    const objects = render(overrides)
    for (const object of objects) kinds.add(object.kind)
    for (const object of objects) t.same(checkOpenApi(object), [], `${object.kind} is valid`)
  }
  t.equal(kinds.size, 9, 'every kind the chart renders was validated')
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
  }).filter((line) => !/^(cpu|memory): /.test(line)).filter((line) => !/^(image|rollout|container|resources|requests|limits|probes|startup|readiness|liveness|shutdown|preStop|securityContext|serviceAccount|service|podDisruptionBudget|autoscaling|networkPolicy|ingress|gateway):$/.test(line))
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
    if (link.startsWith('#')) {
      // An anchor in the page itself: a heading whose GitHub/npm slug it is.
      const slugs = [...readme.matchAll(/^#+ (.+)$/gm)].map((match) => (match[1] ?? '').toLowerCase().replace(/[^a-z0-9 -]/g, '').replaceAll(' ', '-'))
      t.ok(slugs.includes(link.slice(1)), `${link} is a heading of the README`)
      continue
    }
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

// Said outright rather than left to a snapshot: the budget allows evicting one pod and never holds
// a minimum equal to the replicas, which would hang every node drain.
test('the PodDisruptionBudget allows one eviction at a time, by maxUnavailable, never minAvailable', async (t) => {
  for (const [overrides, kube] of [[{}, undefined], [{ replicas: 5 }, undefined], [{ podDisruptionBudget: { maxUnavailable: '25%' }, replicas: 8 }, '1.20']] as const) {
    const budget = render(overrides, { release: 'shop', ...(kube !== undefined && { kubeVersion: kube }) }).find((object) => object.kind === 'PodDisruptionBudget') as any
    t.equal(budget.spec.maxUnavailable, overrides.podDisruptionBudget?.maxUnavailable ?? 1, JSON.stringify(overrides))
    t.notOk('minAvailable' in budget.spec, 'no minAvailable: with one equal to the replicas no pod could ever be evicted')
    t.equal(budget.apiVersion, kube === '1.20' ? 'policy/v1beta1' : 'policy/v1')
  }
})
