// Manifests and options: what is read, and a coded error naming the field for what cannot be rehearsed.
import { test } from 'tap'
import { DEFAULT_MANIFEST, parseManifest, readManifestFile, RehearseInvalidOptionError, RehearseManifestError } from '../src/index.js'
import { resolveOptions } from '../src/options.js'
import { manifest } from './fixtures/helpers.js'

test('the default demo manifest: 3 replicas, surge 1, unavailable 0, probes, preStop, env', async (t) => {
  const d = readManifestFile(DEFAULT_MANIFEST)
  t.match(d, {
    name: 'zerodown-demo',
    replicas: 3,
    maxSurge: 1,
    maxUnavailable: 0,
    minReadySeconds: 1,
    progressDeadlineSeconds: 60,
    containerPort: 8080,
    preStopSleepSeconds: 3,
    terminationGracePeriodSeconds: 15,
    startupProbe: { path: '/startupz', periodSeconds: 1, failureThreshold: 30, timeoutSeconds: 1, successThreshold: 1, initialDelaySeconds: 0 },
    readinessProbe: { path: '/readyz', periodSeconds: 1, failureThreshold: 1 },
    livenessProbe: { path: '/livez', periodSeconds: 5, failureThreshold: 3 },
    env: { LOG_LEVEL: 'warn', DRAIN_DELAY_MS: '1000', SHUTDOWN_TIMEOUT_MS: '10000' },
    warnings: []
  })
})

test('Kubernetes defaults apply to what the manifest leaves out', async (t) => {
  const d = parseManifest(`kind: Deployment
metadata: { name: bare }
spec:
  template:
    spec:
      containers:
        - name: app
          readinessProbe: { httpGet: { path: /, port: 8080 } }
          env: [{ name: SECRET, valueFrom: { secretKeyRef: { name: s, key: k } } }]
          envFrom: [{ configMapRef: { name: config } }]
        - name: sidecar
`)
  t.match(d, {
    replicas: 1,
    maxSurge: '25%',
    maxUnavailable: '25%',
    minReadySeconds: 0,
    progressDeadlineSeconds: 600,
    terminationGracePeriodSeconds: 30,
    preStopSleepSeconds: 0,
    containerPort: 8080,
    readinessProbe: { path: '/', initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 }
  })
  t.equal(d.livenessProbe, undefined)
  t.same(d.warnings, [
    'only the first container (app) is rehearsed',
    'env SECRET comes from valueFrom, which is not reproduced',
    'envFrom (ConfigMaps, Secrets) is not reproduced; pass those variables with --env'
  ])
})

test('probes on their own port: the env variable that carries it is found', async (t) => {
  const d = parseManifest(manifest({ probePort: 9000 }))
  t.same(d.probePort, { containerPort: 9000, env: ['PROBE_PORT'] })
  t.equal(d.containerPort, 8080)
  t.equal(d.readinessProbe?.onProbePort, true)
  t.equal(parseManifest(manifest()).readinessProbe?.onProbePort, false)
})

test('preStop as an exec of sleep, a kind: List, and named probe ports', async (t) => {
  const list = `kind: List
items:
  - kind: Deployment
    metadata: { name: listed }
    spec:
      template:
        spec:
          containers:
            - name: app
              ports: [{ name: web, containerPort: 3000 }]
              livenessProbe: { httpGet: { path: /livez, port: web } }
              lifecycle: { preStop: { exec: { command: ["/bin/sh", "-c", "sleep 7"] } } }
`
  t.match(parseManifest(list), { name: 'listed', containerPort: 3000, preStopSleepSeconds: 7, livenessProbe: { path: '/livez' } })
  t.equal(parseManifest(list.replace('["/bin/sh", "-c", "sleep 7"]', '["sleep", "4"]')).preStopSleepSeconds, 4)
})

test('manifests that cannot be rehearsed are refused, naming the field', async (t) => {
  const cases: Array<[string, string, RegExp]> = [
    ['no Deployment', 'kind: Service\nmetadata: { name: s }\n', /holds no Deployment \(found: Service\)/],
    ['empty', '', /holds no Deployment \(found: nothing\)/],
    ['two Deployments', manifest() + '---\n' + manifest(), /holds 2 Deployments/],
    ['not YAML', 'kind: [Deployment\n', /not valid YAML/],
    ['Recreate', manifest().replace('type: RollingUpdate', 'type: Recreate'), /spec.strategy.type "Recreate" is not rehearsed/],
    ['bad maxSurge', manifest({ maxSurge: '25' }), /maxSurge must be an integer >= 0 or a percentage like "25%", got "25"/],
    ['negative replicas', manifest({ replicas: -1 }), /spec.replicas must be an integer >= 1, got -1/],
    ['exec probe', manifest({ liveness: '{ exec: { command: [true] } }' }), /livenessProbe must use httpGet/],
    ['probe port nobody knows', manifest({ readiness: '{ httpGet: { path: /readyz, port: 9000 } }' }),
      /readinessProbe.httpGet.port 9000 is not the container port 8080 and no env variable \(like PROBE_PORT\) carries 9000/],
    ['two probe ports', manifest({ probePort: 9000, readiness: '{ httpGet: { path: /readyz, port: 9001 } }', env: { OTHER: '9001' } }),
      /readinessProbe.httpGet.port 9001: probes on two ports besides the container port are not rehearsed/],
    ['unknown named port', manifest({ readiness: '{ httpGet: { path: /readyz, port: metrics } }' }), /readinessProbe.httpGet.port "metrics" is neither a port number nor a named container port/],
    ['probe path', manifest({ readiness: '{ httpGet: { path: readyz, port: http } }' }), /readinessProbe.httpGet.path must start with "\/"/],
    ['zero period', manifest({ readiness: '{ httpGet: { path: /readyz, port: http }, periodSeconds: 0 }' }), /readinessProbe.periodSeconds must be a number > 0, got 0/],
    ['liveness success threshold', manifest({ liveness: '{ httpGet: { path: /livez, port: http }, successThreshold: 2 }' }), /livenessProbe.successThreshold must be 1/],
    ['httpGet preStop', manifest().replace('{ sleep: { seconds: 0.5 } }', '{ httpGet: { path: /stop, port: http } }'), /lifecycle.preStop must be sleep.seconds or an exec of "sleep N"/],
    ['no containers', 'kind: Deployment\nspec: { template: { spec: { containers: [] } } }\n', /containers is empty/]
  ]
  for (const [name, text, message] of cases) {
    t.throws(() => parseManifest(text, 'm.yaml'), { code: 'FST_ZERODOWN_REHEARSE_MANIFEST', message }, name)
  }
  t.throws(() => readManifestFile('/nonexistent/m.yaml'), RehearseManifestError)
  t.throws(() => readManifestFile('/nonexistent/m.yaml'), /Cannot rehearse manifest \/nonexistent\/m.yaml: cannot read it \(ENOENT\)/)
})

test('bad options are refused at once, naming the option and the expected form', async (t) => {
  const base = { command: ['node', 'x.js'] }
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ propagationDelayMs: -1 }, /"propagationDelayMs": expected a number of milliseconds >= 0, got number -1/],
    [{ warmupMs: 'soon' }, /"warmupMs": expected a number of milliseconds/],
    [{ command: [] }, /"command": expected a non-empty array of strings/],
    [{ command: 'node x.js' }, /"command": expected a non-empty array/],
    [{ versionEnv: 'APP VERSION' }, /"versionEnv": expected an environment variable name/],
    [{ oldVersion: '1', newVersion: '1' }, /"newVersion": expected a version different from oldVersion/],
    [{ env: { A: 1 } }, /"env": expected an object of string values/],
    [{ load: { rate: 0 } }, /"load.rate": expected requests per second/],
    [{ load: { connections: 1.5 } }, /"load.connections": expected an integer from 1 to 256/],
    [{ load: { slowShare: 2 } }, /"load.slowShare": expected a number from 0 to 1/],
    [{ load: { slowPath: 'work' } }, /"load.slowPath": expected a path starting with "\/"/],
    [{ manifest: '' }, /"manifest": expected a non-empty string/]
  ]
  for (const [opts, message] of cases) {
    t.throws(() => resolveOptions({ ...base, ...opts } as never), { code: 'FST_ZERODOWN_REHEARSE_INVALID_OPTION', message }, JSON.stringify(opts))
  }
  t.throws(() => resolveOptions(null as never), RehearseInvalidOptionError)
  t.match(resolveOptions({ command: ['node', 'x.js'] }), { command: [process.execPath, 'x.js'], oldVersion: '1.0.0', newVersion: '2.0.0', propagationDelayMs: 2000 },
    '"node" is the running Node.js')
})
