import { test } from 'tap'
import { CHART_ENV, DeployInvalidValuesError, defaultValues, lint, parseSet, render, type ValuesOverride } from '../src/index.js'
import { checkSchema } from '../src/schema.js'

// Each case: values that break exactly one thing, and the exact problem lint reports.
const schemaCases: Array<[string, unknown, string, string]> = [
  ['a wrong maxSurge', { rollout: { maxSurge: 'lots' } }, 'rollout.maxSurge', 'must be an integer or a percentage like "25%"'],
  ['a fractional percentage', { rollout: { maxUnavailable: '2.5%' } }, 'rollout.maxUnavailable', 'must be an integer or a percentage like "25%"'],
  ['a negative maxSurge', { rollout: { maxSurge: -1 } }, 'rollout.maxSurge', 'must be an integer or a percentage like "25%"'],
  ['an unknown key', { rollout: { maxSurg: 1 } }, 'rollout.maxSurg', 'unknown key; the keys here are maxSurge, maxUnavailable, minReadySeconds, progressDeadlineSeconds, revisionHistoryLimit'],
  ['an unknown top-level key', { replica: 3 }, 'replica', 'unknown key; the keys here are nameOverride, fullnameOverride, component, partOf, commonLabels, commonAnnotations, image, imagePullSecrets, replicas, rollout, container, extraVolumes, initContainers, sidecars, config, probes, shutdown, terminationGracePeriodSeconds, securityContext, podSecurityStandard, serviceAccount, service, podDisruptionBudget, autoscaling, networkPolicy, ingress, gateway, topologySpread, nodeSelector, tolerations, affinity, priorityClassName, hostAliases, podLabels, podAnnotations'],
  ['a string for an integer', { replicas: '3' }, 'replicas', 'must be an integer'],
  ['zero replicas', { replicas: 0 }, 'replicas', 'must be 1 or more'],
  ['a port above 65535', { service: { port: 65536 } }, 'service.port', 'must be 65535 or less'],
  ['an empty image repository', { image: { repository: '' } }, 'image.repository', 'must not be empty'],
  ['a number for a string', { image: { tag: 1.5 } }, 'image.tag', 'must be a string (quote it in YAML, or use --set-string)'],
  ['a bad enum', { service: { type: 'External' } }, 'service.type', 'must be one of "ClusterIP", "NodePort", "LoadBalancer"'],
  ['a bad preStop mode', { shutdown: { preStop: { mode: 'wait' } } }, 'shutdown.preStop.mode', 'must be one of "auto", "sleep", "exec"'],
  ['a relative probe path', { probes: { readiness: { path: 'readyz' } } }, 'probes.readiness.path', 'must be an absolute path like "/readyz"'],
  ['a probe port out of range', { probes: { port: 70000 } }, 'probes.port', 'must be a port number from 1 to 65535, or null'],
  ['a node port out of range', { service: { nodePort: 80 } }, 'service.nodePort', 'must be a port from 30000 to 32767, or null'],
  ['a bad quantity', { container: { resources: { limits: { memory: '256 MB' } } } }, 'container.resources.limits.memory', 'must be a Kubernetes quantity like "100m" or "128Mi"'],
  ['a bad env name', { container: { env: { '1X': 'y' } } }, 'container.env["1X"]', 'is not a valid name: use letters, digits, "_", "-" and ".", not starting with a digit'],
  ['a bad nameOverride', { nameOverride: 'My_App' }, 'nameOverride', 'must be empty or a DNS label: lowercase letters, digits and "-", at most 63 characters'],
  ['a bad digest', { image: { digest: 'sha256:abc' } }, 'image.digest', 'must be empty or "sha256:" followed by 64 hex digits'],
  ['a list item of the wrong type', { container: { args: ['--port', 8080] } }, 'container.args[1]', 'must be a string (quote it in YAML, or use --set-string)'],
  ['a negative propagation allowance', { shutdown: { propagationSeconds: -1 } }, 'shutdown.propagationSeconds', 'must be 0 or more'],
  ['a check timeout past setTimeout\'s limit', { probes: { checkTimeoutMs: 2 ** 31 } }, 'probes.checkTimeoutMs', 'must be 2147483647 or less'],
  ['a margin below the kubelet minimum', { shutdown: { marginSeconds: 1 } }, 'shutdown.marginSeconds', 'must be 2 or more'],
  ['a map that is a list', { podAnnotations: ['a'] }, 'podAnnotations', 'must be a map of keys to values'],
  ['a required value removed with null', { image: null }, 'image', 'is required'],
  ['a bad extraEnv name', { container: { extraEnv: [{ name: '1X', value: 'y' }] } }, 'container.extraEnv[0].name', 'must be a variable name: letters, digits, "_", "-" and ".", not starting with a digit'],
  ['an extraEnv entry without a name', { container: { extraEnv: [{ value: 'y' }] } }, 'container.extraEnv[0].name', 'is required'],
  ['a sidecar without a name', { sidecars: [{ image: 'envoy' }] }, 'sidecars[0].name', 'is required'],
  ['a route rule with its own backend', { gateway: { rules: [{ backendRefs: [] }] } }, 'gateway.rules[0].backendRefs', 'unknown key; the keys here are name, matches, filters, timeouts'],
  ['an ingress path type that does not exist', { ingress: { hosts: [{ host: 'a.example.com', paths: [{ path: '/', pathType: 'Regex' }] }] } }, 'ingress.hosts[0].paths[0].pathType', 'must be one of "Prefix", "Exact", "ImplementationSpecific"'],
  ['a CPU target above 100', { autoscaling: { targetCPUUtilizationPercentage: 120 } }, 'autoscaling.targetCPUUtilizationPercentage', 'must be a percentage from 1 to 100, or null'],
  ['a boolean that is a string', { autoscaling: { enabled: 'yes' } }, 'autoscaling.enabled', 'must be true or false']
]

test('each schema error names the value and the expected form', async (t) => {
  for (const [name, overrides, path, message] of schemaCases) {
    t.same(lint(overrides as ValuesOverride), [{ path, message }], name)
  }
})

test('undefined leaves a default alone; a full values object without a key names it', async (t) => {
  t.same(lint({ replicas: undefined, rollout: { maxSurge: undefined } }), [])
  const { replicas, ...withoutReplicas } = defaultValues()
  t.equal(replicas, 3)
  t.same(checkSchema(withoutReplicas), [{ path: 'replicas', message: 'is required' }])
})

test('schema errors are all reported at once, and render refuses them', async (t) => {
  const overrides = { replicas: 'x', rollout: { maxSurge: '1.5' }, service: { type: 'Foo' } } as unknown as ValuesOverride
  t.same(lint(overrides).map((problem) => problem.path), ['replicas', 'rollout.maxSurge', 'service.type'])
  const err = t.throws(() => render(overrides)) as DeployInvalidValuesError
  t.ok(err instanceof DeployInvalidValuesError)
  t.equal(err.code, 'FST_ZERODOWN_DEPLOY_INVALID_VALUES')
  t.equal(err.problems.length, 3)
  t.equal(err.message, [
    'The values have 3 problem(s); nothing was rendered:',
    '  replicas: must be an integer',
    '  rollout.maxSurge: must be an integer or a percentage like "25%"',
    '  service.type: must be one of "ClusterIP", "NodePort", "LoadBalancer"'
  ].join('\n'))
})

const RESTRICTED = 'the "restricted" Pod Security Standard forbids it, and namespaces that enforce it would refuse the pods'

const ruleCases: Array<[string, ValuesOverride, string, string]> = [
  ['maxSurge and maxUnavailable both 0', { rollout: { maxSurge: 0, maxUnavailable: 0 } }, 'rollout.maxSurge',
    'rollout.maxSurge 0 and rollout.maxUnavailable 0 are both 0: a rolling update could neither add a new pod nor remove an old one (Kubernetes rejects it); keep maxSurge 1 and maxUnavailable 0'],
  ['0% and 0, which the API server also rejects', { rollout: { maxSurge: '0%', maxUnavailable: 0 } }, 'rollout.maxSurge',
    'rollout.maxSurge "0%" and rollout.maxUnavailable 0 are both 0: a rolling update could neither add a new pod nor remove an old one (Kubernetes rejects it); keep maxSurge 1 and maxUnavailable 0'],
  ['percentages that both round to 0', { rollout: { maxSurge: '0%', maxUnavailable: '10%' } }, 'rollout.maxSurge',
    'rollout.maxSurge "0%" and rollout.maxUnavailable "10%" both round to 0 for replicas 3, so Kubernetes takes a pod down before its replacement is ready; set maxSurge to 1 or more'],
  ['maxUnavailable that takes every replica down', { rollout: { maxUnavailable: '100%' } }, 'rollout.maxUnavailable',
    'rollout.maxUnavailable "100%" allows 3 of replicas 3 to be unavailable at once: a rollout could take every pod down; keep it below the replica count (0 keeps full capacity)'],
  ['maxUnavailable against the autoscaler minimum', { autoscaling: { enabled: true, minReplicas: 2 }, rollout: { maxUnavailable: 2 } }, 'rollout.maxUnavailable',
    'rollout.maxUnavailable 2 allows 2 of autoscaling.minReplicas 2 to be unavailable at once: a rollout could take every pod down; keep it below the replica count (0 keeps full capacity)'],
  ['a progress deadline within minReadySeconds', { rollout: { minReadySeconds: 30, progressDeadlineSeconds: 30 } }, 'rollout.progressDeadlineSeconds',
    'rollout.progressDeadlineSeconds 30 must be greater than rollout.minReadySeconds 30: Kubernetes rejects the Deployment otherwise'],
  ['a disruption budget that blocks drains', { podDisruptionBudget: { maxUnavailable: '0%' } }, 'podDisruptionBudget.maxUnavailable',
    'podDisruptionBudget.maxUnavailable "0%" allows no eviction: every node drain would hang on these pods; use 1'],
  ['a disruption budget that allows evicting every pod', { podDisruptionBudget: { maxUnavailable: 3 } }, 'podDisruptionBudget.maxUnavailable',
    'podDisruptionBudget.maxUnavailable 3 allows evicting 3 of 3 pods at once: a node drain could take every pod down; use 1'],
  ['a single replica', { replicas: 1 }, 'replicas',
    'replicas 1 leaves a single pod: a node drain or a crash then drops every request; use 2 or more'],
  ['an autoscaler that may keep one pod', { autoscaling: { enabled: true, minReplicas: 1 } }, 'autoscaling.minReplicas',
    'autoscaling.minReplicas 1 lets the autoscaler leave a single pod: a node drain or a crash then drops every request; use 2 or more'],
  ['an autoscaler maximum below its minimum', { autoscaling: { enabled: true, maxReplicas: 2 } }, 'autoscaling.maxReplicas',
    'autoscaling.maxReplicas 2 is below autoscaling.minReplicas 3'],
  ['a timeout that does not outlast the drain', { shutdown: { drainDelaySeconds: 5, timeoutSeconds: 5 } }, 'shutdown.timeoutSeconds',
    'shutdown.timeoutSeconds 5 is not longer than shutdown.drainDelaySeconds 5: the app counts its timeout from SIGTERM with the drain inside it, so @zerodown/shutdown refuses to start and every pod would crash-loop; raise shutdown.timeoutSeconds to at least 6 (the drain, plus the longest request and the onClose hooks) or shorten the drain'],
  ['a preStop sleep and drain shorter than the propagation', { shutdown: { propagationSeconds: 11 } }, 'shutdown.preStop.sleepSeconds',
    'shutdown.preStop.sleepSeconds 5 + shutdown.drainDelaySeconds 5 = 10 s is shorter than shutdown.propagationSeconds 11: the listener would close while load balancers still send new connections to the pod, and those would be refused; raise shutdown.preStop.sleepSeconds to 6 (or the drain), or lower shutdown.propagationSeconds if the load balancers let go sooner'],
  ['no preStop and no drain behind any load balancer', { shutdown: { propagationSeconds: 1, preStop: { sleepSeconds: 0 }, drainDelaySeconds: 0 } }, 'shutdown.preStop.sleepSeconds',
    'shutdown.preStop.sleepSeconds 0 + shutdown.drainDelaySeconds 0 = 0 s is shorter than shutdown.propagationSeconds 1: the listener would close while load balancers still send new connections to the pod, and those would be refused; raise shutdown.preStop.sleepSeconds to 1 (or the drain), or lower shutdown.propagationSeconds if the load balancers let go sooner'],
  ['a grace period that does not fit the budget', { terminationGracePeriodSeconds: 29 }, 'terminationGracePeriodSeconds',
    'terminationGracePeriodSeconds 29 is shorter than shutdown.preStop.sleepSeconds 5 + shutdown.timeoutSeconds 20 + shutdown.marginSeconds 5 = 30 s: the grace period counts from pod deletion, preStop included, so Kubernetes would SIGKILL the app before its own shutdown deadline, cutting requests still in flight; raise terminationGracePeriodSeconds to 30 or shorten the preStop sleep or the timeout'],
  ['liveness on the readiness path', { probes: { liveness: { path: '/readyz' } } }, 'probes.liveness.path',
    'probes.readiness.path and probes.liveness.path are both "/readyz": a pod that is only not ready (draining, or a dependency down) would be restarted instead of taken out of the Service; use the probe plugin\'s distinct /startupz, /readyz and /livez'],
  ['startup on the liveness path', { probes: { startup: { path: '/livez' } } }, 'probes.liveness.path',
    'probes.startup.path and probes.liveness.path are both "/livez": the startup probe would pass or fail with liveness instead of saying when startup finished; use the probe plugin\'s distinct /startupz, /readyz and /livez'],
  ['liveness that fails before readiness', { probes: { liveness: { periodSeconds: 3 } } }, 'probes.liveness',
    'probes.liveness fails after 9 s (periodSeconds 3 x failureThreshold 3), no later than probes.readiness after 10 s (periodSeconds 5 x failureThreshold 2): a struggling pod would be restarted before it is taken out of the Service; make liveness slower to fail'],
  ['a probe timeout not longer than the check timeout', { probes: { checkTimeoutMs: 1000 } }, 'probes.readiness.timeoutSeconds',
    'probes.readiness.timeoutSeconds 1 (1000 ms) is not longer than probes.checkTimeoutMs 1000: a slow check would time the probe out (a failure the app cannot explain) instead of answering 503; make the probe timeout longer than the app\'s check timeout'],
  ['a probe port equal to the app port', { probes: { port: 8080 } }, 'probes.port',
    'probes.port 8080 is container.port: a separate probe port must differ from the app port (or be null to probe the app port)'],
  ['image tag latest', { image: { tag: 'latest' } }, 'image.tag',
    'image.tag "latest" is not a version: pods started at different times could run different builds, ZERODOWN_APP_VERSION would say "latest", and a rollback could not go back; set an immutable version like "1.4.0"'],
  ['image tag missing', { image: { tag: '' } }, 'image.tag',
    'image.tag is empty: the image would resolve to "latest", ZERODOWN_APP_VERSION would be empty, and nothing would say which version runs; set an immutable version like "1.4.0"'],
  ['image tag malformed', { image: { tag: 'v1 beta' } }, 'image.tag',
    'image.tag "v1 beta" is not a valid image tag: use letters, digits, "_", "." and "-", at most 128 characters'],
  ['runAsNonRoot false', { securityContext: { runAsNonRoot: false } }, 'securityContext.runAsNonRoot',
    `securityContext.runAsNonRoot false lets the container run as root: ${RESTRICTED}`],
  ['runAsUser 0', { securityContext: { runAsUser: 0 } }, 'securityContext.runAsUser',
    `securityContext.runAsUser 0 is root: ${RESTRICTED}; use a numeric non-root user like 1000`],
  ['privilege escalation', { securityContext: { allowPrivilegeEscalation: true } }, 'securityContext.allowPrivilegeEscalation',
    `securityContext.allowPrivilegeEscalation true lets a process gain privileges: ${RESTRICTED}`],
  ['an added capability', { securityContext: { addCapabilities: ['NET_BIND_SERVICE', 'SYS_ADMIN'] } }, 'securityContext.addCapabilities',
    `securityContext.addCapabilities ["SYS_ADMIN"]: only NET_BIND_SERVICE may be added; ${RESTRICTED}`],
  ['seccomp off', { securityContext: { seccompProfile: 'Unconfined' } }, 'securityContext.seccompProfile',
    `securityContext.seccompProfile "Unconfined" turns seccomp off: ${RESTRICTED}`],
  ['an env var the chart owns', { container: { env: { ZERODOWN_SHUTDOWN_TIMEOUT_MS: '60000' } } }, 'container.env.ZERODOWN_SHUTDOWN_TIMEOUT_MS',
    'container.env.ZERODOWN_SHUTDOWN_TIMEOUT_MS is set by the chart from shutdown.timeoutSeconds, so the app and the manifest agree; set shutdown.timeoutSeconds instead'],
  ['a config entry the chart owns', { config: { ZERODOWN_PROBE_PORT: '9000' } }, 'config.ZERODOWN_PROBE_PORT',
    'config.ZERODOWN_PROBE_PORT is set by the chart from probes.port, so the app and the manifest agree; set probes.port instead'],
  ['a node port on a ClusterIP Service', { service: { nodePort: 30080 } }, 'service.nodePort',
    'service.nodePort 30080 needs service.type NodePort or LoadBalancer, not ClusterIP']
]

test('each rule names the values and says why', async (t) => {
  t.same(lint(), [], 'the defaults pass every rule')
  for (const [name, overrides, path, message] of ruleCases) {
    t.same(lint(overrides), [{ path, message }], name)
  }
})

test('rules that fit exactly pass', async (t) => {
  // NET_BIND_SERVICE is the one capability restricted allows.
  t.same(lint({ securityContext: { addCapabilities: ['NET_BIND_SERVICE'] } }), [])
  t.same(lint({ rollout: { maxSurge: '25%', maxUnavailable: '25%' }, replicas: 4 }), [], 'Kubernetes defaults on 4 replicas: 1 unavailable of 4')
  t.same(lint({ rollout: { maxSurge: 0, maxUnavailable: 1 } }), [], 'surge 0 with one unavailable still rolls')
})

// P = propagationSeconds, S = preStop sleep, d = drain, T = timeout (from SIGTERM), m = margin, G = grace (from deletion).
test('each budget rule passes at its limit and fails one second past it', async (t) => {
  const paths = (overrides: ValuesOverride): string[] => lint(overrides).map((problem) => problem.path)
  const cases: Array<[string, ValuesOverride, string[]]> = [
    ['T = d + 1', { shutdown: { drainDelaySeconds: 5, timeoutSeconds: 6 } }, []],
    ['T = d', { shutdown: { drainDelaySeconds: 5, timeoutSeconds: 5 } }, ['shutdown.timeoutSeconds']],
    ['T = 1, d = 0', { shutdown: { propagationSeconds: 5, preStop: { sleepSeconds: 5 }, drainDelaySeconds: 0, timeoutSeconds: 1 } }, []],
    ['S + d = P', { shutdown: { propagationSeconds: 10 } }, []],
    ['S + d = P - 1', { shutdown: { propagationSeconds: 11 } }, ['shutdown.preStop.sleepSeconds']],
    ['S = 0, d = P', { shutdown: { propagationSeconds: 5, preStop: { sleepSeconds: 0 }, drainDelaySeconds: 5 } }, []],
    ['S = 0, d = P - 1', { shutdown: { propagationSeconds: 5, preStop: { sleepSeconds: 0 }, drainDelaySeconds: 4 } }, ['shutdown.preStop.sleepSeconds']],
    ['P = 1 with no preStop and a drain of 1', { shutdown: { propagationSeconds: 1, preStop: { sleepSeconds: 0 }, drainDelaySeconds: 1 } }, []],
    // kube-proxy alone never stops new connections at once (the fidelity table measured 0.1-0.4 s).
    ['P = 0 with no preStop and no drain', { shutdown: { propagationSeconds: 0, preStop: { sleepSeconds: 0 }, drainDelaySeconds: 0 } }, ['shutdown.propagationSeconds']],
    ['G = S + T + m (the defaults, 5 + 20 + 5 = 30)', { terminationGracePeriodSeconds: 30 }, []],
    ['G = S + T + m - 1', { terminationGracePeriodSeconds: 29 }, ['terminationGracePeriodSeconds']],
    ['G = S + T + m with a longer timeout', { shutdown: { timeoutSeconds: 60 }, terminationGracePeriodSeconds: 70 }, []],
    ['G = S + T + m - 1 with a longer timeout', { shutdown: { timeoutSeconds: 60 }, terminationGracePeriodSeconds: 69 }, ['terminationGracePeriodSeconds']],
    ['G = S + T + m with the kubelet minimum margin', { shutdown: { marginSeconds: 2 }, terminationGracePeriodSeconds: 27 }, []],
    ['G = S + T + m - 1 with the kubelet minimum margin', { shutdown: { marginSeconds: 2 }, terminationGracePeriodSeconds: 26 }, ['terminationGracePeriodSeconds']]
  ]
  for (const [name, overrides, expected] of cases) t.same(paths(overrides), expected, name)
})

test('the other numbered rules pass at their limit and fail one past it', async (t) => {
  const paths = (overrides: ValuesOverride): string[] => lint(overrides).map((problem) => problem.path)
  const cases: Array<[string, ValuesOverride, string[]]> = [
    ['maxUnavailable 2 of 3 replicas', { rollout: { maxUnavailable: 2 } }, []],
    ['maxUnavailable 3 of 3 replicas', { rollout: { maxUnavailable: 3 } }, ['rollout.maxUnavailable']],
    ['progressDeadlineSeconds = minReadySeconds + 1', { rollout: { minReadySeconds: 30, progressDeadlineSeconds: 31 } }, []],
    ['progressDeadlineSeconds = minReadySeconds', { rollout: { minReadySeconds: 30, progressDeadlineSeconds: 30 } }, ['rollout.progressDeadlineSeconds']],
    ['replicas 2', { replicas: 2 }, []],
    ['replicas 1', { replicas: 1 }, ['replicas']],
    ['autoscaling.minReplicas 2', { autoscaling: { enabled: true, minReplicas: 2 } }, []],
    ['autoscaling.minReplicas 1', { autoscaling: { enabled: true, minReplicas: 1 } }, ['autoscaling.minReplicas']],
    ['autoscaling.maxReplicas = minReplicas', { autoscaling: { enabled: true, minReplicas: 3, maxReplicas: 3 } }, []],
    ['autoscaling.maxReplicas = minReplicas - 1', { autoscaling: { enabled: true, minReplicas: 3, maxReplicas: 2 } }, ['autoscaling.maxReplicas']],
    ['podDisruptionBudget.maxUnavailable 2 of 3', { podDisruptionBudget: { maxUnavailable: 2 } }, []],
    ['podDisruptionBudget.maxUnavailable 3 of 3', { podDisruptionBudget: { maxUnavailable: 3 } }, ['podDisruptionBudget.maxUnavailable']],
    ['liveness fails 1 s after readiness (11 s against 10 s)', { probes: { liveness: { periodSeconds: 11, failureThreshold: 1 } } }, []],
    ['liveness fails with readiness (10 s against 10 s)', { probes: { liveness: { periodSeconds: 5, failureThreshold: 2 } } }, ['probes.liveness']],
    ['probe timeout 1000 ms against a 999 ms check', { probes: { checkTimeoutMs: 999 } }, []],
    ['probe timeout 1000 ms against a 1000 ms check', { probes: { checkTimeoutMs: 1000 } }, ['probes.readiness.timeoutSeconds']],
    ['an image tag of 128 characters', { image: { tag: 'v'.repeat(128) } }, []],
    ['an image tag of 129 characters', { image: { tag: 'v'.repeat(129) } }, ['image.tag']]
  ]
  for (const [name, overrides, expected] of cases) t.same(paths(overrides), expected, name)
})

test('the drain is not counted on top of the timeout', async (t) => {
  // A long drain inside the timeout needs no longer grace period: T already contains d.
  t.same(lint({ shutdown: { drainDelaySeconds: 15, timeoutSeconds: 20 } }), [])
})

test('a preStop sleep as long as the grace period is refused by the grace rule', async (t) => {
  t.same(lint({ shutdown: { preStop: { sleepSeconds: 40 } }, terminationGracePeriodSeconds: 40 }), [{
    path: 'terminationGracePeriodSeconds',
    message: 'terminationGracePeriodSeconds 40 is shorter than shutdown.preStop.sleepSeconds 40 + shutdown.timeoutSeconds 20 + shutdown.marginSeconds 5 = 65 s: the grace period counts from pod deletion, preStop included, so Kubernetes would SIGKILL the app before its own shutdown deadline, cutting requests still in flight; raise terminationGracePeriodSeconds to 65 or shorten the preStop sleep or the timeout'
  }])
})

test('the chart owns every variable it renders, in container.env and in config', async (t) => {
  t.same(Object.keys(CHART_ENV), [
    'ZERODOWN_APP_VERSION', 'PORT', 'ZERODOWN_DRAIN_DELAY_MS', 'ZERODOWN_SHUTDOWN_TIMEOUT_MS', 'ZERODOWN_PROBE_PORT',
    'ZERODOWN_PROBE_LIVENESS_PATH', 'ZERODOWN_PROBE_READINESS_PATH', 'ZERODOWN_PROBE_STARTUP_PATH', 'ZERODOWN_PROBE_CHECK_TIMEOUT_MS'
  ])
  for (const [name, from] of Object.entries(CHART_ENV)) {
    t.same(lint({ container: { env: { [name]: '1' } } }), [{
      path: `container.env.${name}`,
      message: `container.env.${name} is set by the chart from ${from}, so the app and the manifest agree; set ${from} instead`
    }], `container.env.${name}`)
    t.same(lint({ config: { [name]: '1' } }).map((problem) => problem.path), [`config.${name}`], `config.${name}`)
  }
  // The names before the contract belong to the app again: the plugins no longer read them.
  t.same(lint({ container: { env: { DRAIN_DELAY_MS: '1', APP_VERSION: 'x', PROBE_PORT: '9' } } }), [])
})

test('every problem is reported, and render refuses them all', async (t) => {
  const overrides: ValuesOverride = { replicas: 1, image: { tag: 'latest' }, terminationGracePeriodSeconds: 10 }
  t.same(lint(overrides).map((problem) => problem.path), ['replicas', 'terminationGracePeriodSeconds', 'image.tag'])
  t.throws(() => render(overrides), { code: 'FST_ZERODOWN_DEPLOY_INVALID_VALUES', problems: [{ path: 'replicas' }, { path: 'terminationGracePeriodSeconds' }, { path: 'image.tag' }] })
})

test('--set expressions parse like Helm', async (t) => {
  t.same(parseSet('rollout.maxSurge=25%'), { rollout: { maxSurge: '25%' } })
  t.same(parseSet('replicas=5,image.tag=1.2.0'), { replicas: 5, image: { tag: '1.2.0' } })
  t.same(parseSet('autoscaling.enabled=true,probes.port=null,service.nodePort=-1'), { autoscaling: { enabled: true }, probes: { port: null }, service: { nodePort: -1 } })
  t.same(parseSet('container.args={--inspect,--port}'), { container: { args: ['--inspect', '--port'] } })
  t.same(parseSet('container.args={}'), { container: { args: [] } })
  t.same(parseSet('service.annotations.example\\.com/team=web'), { service: { annotations: { 'example.com/team': 'web' } } })
  t.same(parseSet('config.LIST=a\\,b'), { config: { LIST: 'a,b' } })
  t.same(parseSet('image.tag=2', true), { image: { tag: '2' } })
  t.same(parseSet('config.EMPTY='), { config: { EMPTY: '' } })
  t.throws(() => parseSet('replicas'), { code: 'FST_ZERODOWN_DEPLOY_INVALID_ARGUMENT', message: 'Invalid --set: expected key=value, got "replicas"' })
  t.throws(() => parseSet('rollout..maxSurge=1'), { message: 'Invalid --set: expected a dotted key like "rollout.maxSurge", got "rollout..maxSurge=1"' })
})

// Each name rule: a value it refuses (with the exact message) and one it accepts.
const LABEL_KEY_RULE = 'a qualified name: an optional DNS subdomain prefix and "/", then at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit'
const HOST_RULE = 'a host name: lowercase DNS labels (letters, digits and "-") joined by ".", at most 253 characters, optionally starting with "*."; not an IP address, a port or a path'
const nameCases: Array<[string, ValuesOverride, ValuesOverride, string, string]> = [
  ['a label key with a space', { podLabels: { 'bad key': 'web' } }, { podLabels: { 'example.com/tier': 'web' } }, 'podLabels["bad key"]',
    `the label key "bad key" is not valid: it must be ${LABEL_KEY_RULE}; for example "example.com/tier" or "tier"`],
  ['a label key with an empty prefix', { commonLabels: { '/team': 'web' } }, { commonLabels: { team: 'web' } }, 'commonLabels["/team"]',
    `the label key "/team" is not valid: it must be ${LABEL_KEY_RULE}; for example "example.com/tier" or "tier"`],
  ['a nodeSelector value with a space', { nodeSelector: { pool: 'gpu pool' } }, { nodeSelector: { pool: 'gpu-pool' } }, 'nodeSelector.pool',
    'the label value "gpu pool" is not valid: it must be empty, or at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit; for example "gpu_pool"'],
  ['a label value of 64 characters', { podLabels: { tier: 'a'.repeat(64) } }, { podLabels: { tier: 'a'.repeat(63) } }, 'podLabels.tier',
    `the label value "${'a'.repeat(64)}" is not valid: it must be empty, or at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit; for example "${'a'.repeat(63)}"`],
  ['a chart label in commonLabels', { commonLabels: { 'app.kubernetes.io/name': 'x' } }, { commonLabels: { 'example.com/name': 'x' } }, 'commonLabels["app.kubernetes.io/name"]',
    'commonLabels["app.kubernetes.io/name"] sets app.kubernetes.io/name, a label the chart renders (selectors use the name and instance labels, which a Deployment cannot change); set nameOverride instead'],
  ['an annotation key with a space', { service: { annotations: { 'bad key': 'x' } } }, { service: { annotations: { 'Example.com/Key': 'any value at all' } } }, 'service.annotations["bad key"]',
    `the annotation key "bad key" is not valid: it must be ${LABEL_KEY_RULE}; for example "example.com/owner"`],
  ['an annotation key with two slashes', { commonAnnotations: { 'a/b/c': 'x' } }, { commonAnnotations: { 'a.b/c': 'x' } }, 'commonAnnotations["a/b/c"]',
    `the annotation key "a/b/c" is not valid: it must be ${LABEL_KEY_RULE}; for example "example.com/owner"`],
  ['an Ingress host with spaces', { ingress: { enabled: true, hosts: [{ host: 'Not A Host', paths: [{ path: '/', pathType: 'Prefix' }] }] } },
    { ingress: { enabled: true, hosts: [{ host: '*.example.com', paths: [{ path: '/', pathType: 'Prefix' }] }] } }, 'ingress.hosts[0].host',
    `the host "Not A Host" is not valid: it must be ${HOST_RULE}; for example "api.example.com" or "*.example.com"`],
  ['a TLS host with a port', { ingress: { tls: [{ secretName: 'tls', hosts: ['app.example.com:443'] }] } }, { ingress: { tls: [{ secretName: 'tls', hosts: ['app.example.com'] }] } }, 'ingress.tls[0].hosts[0]',
    `the host "app.example.com:443" is not valid: it must be ${HOST_RULE}; for example "api.example.com" or "*.example.com"`],
  ['a route host name that is an IP', { gateway: { enabled: true, parentRefs: [{ name: 'gw' }], hostnames: ['10.0.0.1'] } }, { gateway: { enabled: true, parentRefs: [{ name: 'gw' }], hostnames: ['app.example.com'] } }, 'gateway.hostnames[0]',
    `the host name "10.0.0.1" is not valid: it must be ${HOST_RULE}; for example "api.example.com" or "*.example.com"`],
  ['a host alias with an underscore', { hostAliases: [{ ip: '10.0.0.1', hostnames: ['db_primary'] }] }, { hostAliases: [{ ip: '10.0.0.1', hostnames: ['db-primary.internal'] }] }, 'hostAliases[0].hostnames[0]',
    'the host name "db_primary" is not valid: it must be a DNS-1123 subdomain: at most 253 characters of DNS-1123 labels (lowercase letters, digits and "-") joined by "."; for example "db.internal"'],
  ['a sidecar name in capitals', { sidecars: [{ name: 'Proxy', image: 'envoy' }] }, { sidecars: [{ name: 'proxy', image: 'envoy' }] }, 'sidecars[0].name',
    'the container name "Proxy" is not valid: it must be a DNS-1123 label: at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit; for example "proxy"'],
  ['an init container called app', { initContainers: [{ name: 'app', image: 'x' }] }, { initContainers: [{ name: 'migrate', image: 'x' }] }, 'initContainers[0].name',
    'the container name "app" is already used in the pod (by the app container); give each container its own name'],
  ['a port name that is too long', { sidecars: [{ name: 'proxy', image: 'envoy', ports: [{ name: 'administration-port', containerPort: 9901 }] }] },
    { sidecars: [{ name: 'proxy', image: 'envoy', ports: [{ name: 'admin', containerPort: 9901 }] }] }, 'sidecars[0].ports[0].name',
    'the port name "administration-port" is not valid: it must be an IANA service name: at most 15 lowercase letters, digits and "-", with at least one letter, no "--", starting and ending with a letter or digit; for example "metrics"'],
  ['a port out of range', { sidecars: [{ name: 'proxy', image: 'envoy', ports: [{ containerPort: 70000 }] }] }, { sidecars: [{ name: 'proxy', image: 'envoy', ports: [{ containerPort: 65535 }] }] }, 'sidecars[0].ports[0].containerPort',
    'the port 70000 is not valid: it must be a port number from 1 to 65535'],
  ['a sidecar on the app port', { sidecars: [{ name: 'proxy', image: 'envoy', ports: [{ containerPort: 8080 }] }] }, { sidecars: [{ name: 'proxy', image: 'envoy', ports: [{ containerPort: 8081 }] }] }, 'sidecars[0].ports[0].containerPort',
    'the port 8080 is already container.port: containers of a pod share one network, so two cannot listen on one port; choose another port'],
  ['a volume called tmp', { extraVolumes: [{ name: 'tmp', emptyDir: {} }] }, { extraVolumes: [{ name: 'scratch', emptyDir: {} }] }, 'extraVolumes[0].name',
    'the volume name "tmp" is already used in the pod (by the chart\'s /tmp); give each volume its own name'],
  ['a volume name with a dot', { extraVolumes: [{ name: 'my.certs', secret: { secretName: 'c' } }] }, { extraVolumes: [{ name: 'my-certs', secret: { secretName: 'c' } }] }, 'extraVolumes[0].name',
    'the volume name "my.certs" is not valid: it must be a DNS-1123 label: at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit; for example "certs"'],
  ['a mount of no volume', { container: { extraVolumeMounts: [{ name: 'certs', mountPath: '/certs' }] } }, { container: { extraVolumeMounts: [{ name: 'tmp', mountPath: '/cache' }] } }, 'container.extraVolumeMounts[0].name',
    'the volume mount names "certs", which is no volume of the pod: Kubernetes would refuse it; add it to extraVolumes or use one of ["tmp"]'],
  ['a priority class in capitals', { priorityClassName: 'High' }, { priorityClassName: 'high-priority' }, 'priorityClassName',
    'the PriorityClass name "High" is not valid: it must be a DNS-1123 subdomain: at most 253 characters of DNS-1123 labels (lowercase letters, digits and "-") joined by "."; use the name of a PriorityClass in the cluster'],
  ['an extraEnv name the chart owns', { container: { extraEnv: [{ name: 'ZERODOWN_DRAIN_DELAY_MS', value: '1' }] } }, { container: { extraEnv: [{ name: 'DRAIN', value: '1' }] } }, 'container.extraEnv[0].name',
    'container.extraEnv[0].name "ZERODOWN_DRAIN_DELAY_MS" is set by the chart from shutdown.drainDelaySeconds, so the app and the manifest agree; set shutdown.drainDelaySeconds instead'],
  ['a CPU target without a CPU request', { autoscaling: { enabled: true }, container: { resources: { requests: { cpu: null } } } },
    { autoscaling: { enabled: true, targetCPUUtilizationPercentage: null, targetMemoryUtilizationPercentage: 80 }, container: { resources: { requests: { cpu: null } } } }, 'autoscaling.targetCPUUtilizationPercentage',
    'autoscaling.targetCPUUtilizationPercentage 70 is a percentage of the cpu request, but container.resources.requests.cpu is not set: the autoscaler could not compute it and would not scale; set the request or set autoscaling.targetCPUUtilizationPercentage to null'],
  ['an autoscaler with no metric', { autoscaling: { enabled: true, targetCPUUtilizationPercentage: null } },
    { autoscaling: { enabled: true, targetCPUUtilizationPercentage: null, metrics: [{ type: 'Pods', pods: { metric: { name: 'rps' }, target: { type: 'AverageValue', averageValue: '50' } } }] } }, 'autoscaling.metrics',
    'autoscaling has no metric: targetCPUUtilizationPercentage and targetMemoryUtilizationPercentage are null and autoscaling.metrics is empty; set one of them'],
  ['a route with no Gateway', { gateway: { enabled: true } }, { gateway: { enabled: true, parentRefs: [{ name: 'gw', namespace: 'infra' }] } }, 'gateway.parentRefs',
    'gateway.parentRefs is empty: the HTTPRoute would attach to no Gateway and route nothing; name the Gateway, for example [{ name: shared-gateway, namespace: infra }]']
]

test('each name, label, host and port rule refuses a value with the rule and a fix, and accepts a good one', async (t) => {
  for (const [name, refused, accepted, path, message] of nameCases) {
    t.same(lint(refused), [{ path, message }], `${name}: refused`)
    t.same(lint(accepted), [], `${name}: accepted`)
  }
})

test('object names: a Service name must start with a letter', async (t) => {
  t.same(lint({}, { release: '1shop' }), [{
    path: 'Service/1shop-zerodown metadata.name',
    message: 'the Service name "1shop-zerodown" is not valid: it must be a DNS-1035 label: at most 63 lowercase letters, digits and "-", starting with a letter and ending with a letter or digit; it comes from the release name, nameOverride or fullnameOverride (serviceAccount.name for the ServiceAccount): start the release name with a letter, or set fullnameOverride'
  }], 'only the Service: other objects may start with a digit')
  t.same(lint({ fullnameOverride: 'shop1' }, { release: '1shop' }), [], 'fullnameOverride fixes it')
  t.same(lint({}, { release: 'shop1' }), [])
})
