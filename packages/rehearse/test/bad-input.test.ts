import { join } from 'node:path'
// Manifests and options: what is read, and a coded error naming the field for what cannot be rehearsed.
import { fileURLToPath } from 'node:url'
import { test } from 'tap'
import { parseLoadFile, parseManifest, readLoadFile, readManifestFile, RehearseInvalidOptionError, RehearseManifestError } from '../src/index.js'
import { CALLER_ENV, podEnv } from '../src/kubelet/pod-env.js'
import { DEFAULT_MANIFEST } from '../src/options.js'
import { resolveOptions } from '../src/options.js'
import { isExpected } from '../src/load/load-file.js'
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
    namespace: 'default',
    propagationSeconds: 2,
    env: { LOG_LEVEL: 'warn', ZERODOWN_DRAIN_DELAY_MS: '1000', ZERODOWN_SHUTDOWN_TIMEOUT_MS: '10000' },
    unresolvedEnv: [],
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
  t.same(d.warnings, ['only the first container (app) is rehearsed'])
  t.same(d.unresolvedEnv, [
    { message: 'envFrom ConfigMap config: not in the manifest; pass its variables with --env' },
    { name: 'SECRET', message: 'env SECRET from Secret s: not in the manifest; pass it with --env' }
  ])
  t.equal(d.namespace, 'default')
  t.equal(d.propagationSeconds, undefined)
})

const ENV_MANIFEST = `apiVersion: v1
kind: ConfigMap
metadata: { name: config, namespace: shop }
data: { COLOR: blue, SIZE: "3", LOG_LEVEL: debug }
---
kind: ConfigMap
metadata: { name: elsewhere, namespace: other }
data: { X: "1" }
---
kind: Secret
metadata: { name: db }
data: { password: ${Buffer.from('s3cret').toString('base64')} }
stringData: { user: shop }
---
kind: Deployment
metadata: { name: shop, namespace: shop, annotations: { zerodown.dev/propagation-seconds: "7" } }
spec:
  template:
    metadata: { labels: { app: shop }, annotations: { team: cart } }
    spec:
      serviceAccountName: shop-sa
      nodeName: node-1
      containers:
        - name: app
          envFrom:
            - configMapRef: { name: config }
            - secretRef: { name: db }
              prefix: DB_
            - configMapRef: { name: elsewhere }
            - configMapRef: { name: maybe, optional: true }
          env:
            - { name: LOG_LEVEL, value: warn }
            - { name: POD_NAME, valueFrom: { fieldRef: { fieldPath: metadata.name } } }
            - { name: POD_NAMESPACE, valueFrom: { fieldRef: { fieldPath: metadata.namespace } } }
            - { name: POD_IP, valueFrom: { fieldRef: { fieldPath: status.podIP } } }
            - { name: HOST_IP, valueFrom: { fieldRef: { fieldPath: status.hostIP } } }
            - { name: NODE, valueFrom: { fieldRef: { fieldPath: spec.nodeName } } }
            - { name: SA, valueFrom: { fieldRef: { fieldPath: spec.serviceAccountName } } }
            - { name: APP_LABEL, valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } }
            - { name: TEAM, valueFrom: { fieldRef: { fieldPath: "metadata.annotations['team']" } } }
            - { name: UID, valueFrom: { fieldRef: { fieldPath: metadata.uid } } }
            - { name: CPU, valueFrom: { resourceFieldRef: { resource: limits.cpu } } }
            - { name: COLOR_TOO, valueFrom: { configMapKeyRef: { name: config, key: COLOR } } }
            - { name: PASSWORD, valueFrom: { secretKeyRef: { name: db, key: password } } }
            - { name: MISSING_KEY, valueFrom: { configMapKeyRef: { name: config, key: nope } } }
            - { name: OPTIONAL_KEY, valueFrom: { secretKeyRef: { name: db, key: nope, optional: true } } }
            - { name: API_KEY, valueFrom: { secretKeyRef: { name: api, key: key } } }
            - { name: SIZE, value: "4" }
`

test('pod env: env and envFrom resolved from the manifest as the kubelet does, and what cannot be', async (t) => {
  const d = parseManifest(ENV_MANIFEST)
  t.equal(d.namespace, 'shop')
  t.equal(d.propagationSeconds, 7)
  t.same(d.env, {
    COLOR: 'blue', // envFrom ConfigMap
    SIZE: '4', // env wins over envFrom, as in Kubernetes
    LOG_LEVEL: 'warn',
    DB_password: 's3cret', // envFrom Secret with prefix; data is base64
    DB_user: 'shop', // stringData
    POD_NAMESPACE: 'shop',
    POD_IP: '127.0.0.1',
    HOST_IP: '127.0.0.1',
    NODE: 'node-1',
    SA: 'shop-sa',
    APP_LABEL: 'shop',
    TEAM: 'cart',
    COLOR_TOO: 'blue',
    PASSWORD: 's3cret'
  })
  t.same(d.podNameEnv, ['POD_NAME'], 'set to each pod\'s name')
  t.same(d.unresolvedEnv.map((u) => u.message), [
    'envFrom ConfigMap elsewhere: not in the manifest; pass its variables with --env', // another namespace
    'env UID from the field metadata.uid: not reproduced; pass it with --env',
    'env CPU from resourceFieldRef: not reproduced; pass it with --env',
    'env MISSING_KEY from ConfigMap config: it has no key nope; pass it with --env',
    'env API_KEY from Secret api: not in the manifest; pass it with --env'
  ], 'optional references are skipped silently')
  t.same(parseManifest(ENV_MANIFEST.replace('namespace: shop, ', '')).env.COLOR, undefined, 'a ConfigMap of another namespace is not used')
  t.throws(() => parseManifest(ENV_MANIFEST.replace('"7"', 'soon')), /the annotation zerodown.dev\/propagation-seconds must be a number of seconds >= 0 like "5", got "soon"/)
})

test('pod env: the kubelet\'s variables, the caller\'s allow-list, --pass-env and the rehearsal\'s own, in that order', async (t) => {
  const caller = { PATH: '/bin', HOME: '/home/me', LANG: 'C.UTF-8', LC_ALL: 'C', TZ: 'UTC', SECRET_TOKEN: 'x', NODE_OPTIONS: '--inspect', TAP: '1', DATABASE_URL: 'pg://me', LOG_LEVEL: 'trace' }
  const container = { env: { LOG_LEVEL: 'warn', HOSTNAME: 'set-by-manifest', COLOR: 'blue' }, podNameEnv: ['POD_NAME'] }
  const env = podEnv({ podName: 'shop-abc-12345', container, caller, passEnv: ['DATABASE_URL', 'LOG_LEVEL', 'NOT_SET'], overrides: { COLOR: 'red', PORT: '4000' } })
  t.same(env, {
    PATH: '/bin',
    HOME: '/home/me',
    LANG: 'C.UTF-8',
    LC_ALL: 'C',
    TZ: 'UTC',
    DATABASE_URL: 'pg://me',
    KUBERNETES_SERVICE_HOST: '127.0.0.1',
    KUBERNETES_SERVICE_PORT: '443',
    HOSTNAME: 'set-by-manifest', // the manifest's env may set it, as in Kubernetes
    LOG_LEVEL: 'trace', // --pass-env wins over the manifest
    COLOR: 'red', // --env and the rehearsal's own win over all
    POD_NAME: 'shop-abc-12345',
    PORT: '4000'
  })
  t.equal(podEnv({ podName: 'p-1', container: { env: {}, podNameEnv: [] }, caller: {} }).HOSTNAME, 'p-1', 'HOSTNAME is the pod name')
  t.notOk('NODE_OPTIONS' in env || 'TAP' in env || 'SECRET_TOKEN' in env, 'nothing else of the caller')
  t.ok(CALLER_ENV.includes('PATH') && CALLER_ENV.includes('HOME'))
})

test('unresolved env passed with --env or --pass-env is no longer a warning', async (t) => {
  const base = { command: ['node', 'x.js'], deployment: parseManifest(ENV_MANIFEST) }
  t.equal(resolveOptions(base).propagationDelayMs, 7000, 'the annotation, in ms')
  t.match(resolveOptions(base), { addDelayMs: 7000, removeDelayMs: 7000 }, 'the annotation applies to both directions')
  t.equal(resolveOptions(base).propagationDelayFrom, 'annotation')
  t.match(resolveOptions({ ...base, propagationDelayMs: 10 }), { propagationDelayMs: 10, propagationDelayFrom: 'option' })
  t.match(resolveOptions({ command: ['node', 'x.js'], deployment: parseManifest(manifest()) }), { propagationDelayMs: 2000, propagationDelayFrom: 'default', versionEnv: 'ZERODOWN_APP_VERSION' })
})

test('load files: YAML or JSON requests with defaults, and each bad field named', async (t) => {
  const yaml = `requests:
  - path: /
    weight: 3
  - method: post
    path: /orders
    body: { item: book }
    expect: [201]
  - method: PUT
    path: /raw
    headers: { Content-Type: text/plain, X-Trace: "1" }
    body: hello
`
  t.same(parseLoadFile(yaml).requests, [
    { method: 'GET', path: '/', headers: {}, weight: 3 },
    { method: 'POST', path: '/orders', headers: { 'content-type': 'application/json' }, body: '{"item":"book"}', weight: 1, expect: [201] },
    { method: 'PUT', path: '/raw', headers: { 'content-type': 'text/plain', 'x-trace': '1' }, body: 'hello', weight: 1 }
  ])
  t.same(parseLoadFile('{"requests":[{"method":"PATCH","path":"/a","body":[1,2],"headers":{"content-type":"application/vnd.api+json"}}]}', 'load.json').requests,
    [{ method: 'PATCH', path: '/a', headers: { 'content-type': 'application/vnd.api+json' }, body: '[1,2]', weight: 1 }], 'JSON; a content-type given is kept')

  const cases: Array<[string, RegExp]> = [
    ['requests: [', /it is not valid YAML or JSON: .*column 12$/],
    ['- path: /', /the file: expected an object like \{ requests: \[\.\.\.\] \}, got array/],
    ['request: []', /request: expected only the fields requests and longLived at the top/],
    ['requests: []', /requests: expected a non-empty list of requests/],
    ['requests: [3]', /requests\[0\]: expected an object like \{ method: GET, path: \/ \}, got number 3/],
    ['requests: [{ path: /, expects: [200] }]', /requests\[0\]\.expects: expected one of the fields name, method, path, headers, body, weight, expect/],
    ['requests: [{ name: "", path: / }]', /requests\[0\]\.name: expected a name of 1 to 80 characters, got ""/],
    ['requests: [{ name: 7, path: / }]', /requests\[0\]\.name: expected a name of 1 to 80 characters, got number 7/],
    ['requests: [{ path: /, method: "GET /" }]', /requests\[0\]\.method: expected an HTTP method like GET or POST, got "GET \/"/],
    ['requests: [{ path: / }, { path: orders }]', /requests\[1\]\.path: expected a path starting with "\/", without spaces or control characters \(percent-encode others, like \/search\?q=a%20b\), got "orders"/],
    ['requests: [{ path: /, headers: [a] }]', /requests\[0\]\.headers: expected an object of header names to string values/],
    ['requests: [{ path: /, headers: { x-n: 1 } }]', /requests\[0\]\.headers\.x-n: expected a string, got number 1/],
    ['requests: [{ path: /, body: { a: 1 } }]', /requests\[0\]\.body: expected no body on a GET request/],
    ['requests: [{ path: /, weight: 0 }]', /requests\[0\]\.weight: expected a number > 0, got number 0/],
    ['requests: [{ path: / }, { path: /, weight: 1 }, { path: /, expect: [200, "3xx"] }]', /requests\[2\]\.expect: expected a non-empty list of HTTP statuses/],
    ['requests: [{ path: /, expect: 200 }]', /requests\[0\]\.expect: expected a non-empty list of HTTP statuses \(integers from 100 to 599\) like \[200, 201\], got number 200/],
    // What the HTTP client refuses is refused here, naming the field: never a run that blames the app.
    ['requests: [{ path: /, method: CONNECT }]', /requests\[0\]\.method: expected a method other than CONNECT, which opens a tunnel rather than sending a request, got "CONNECT"/],
    ['requests: [{ path: /, method: connect }]', /requests\[0\]\.method: expected a method other than CONNECT/],
    ['requests: [{ path: "/a b" }]', /requests\[0\]\.path: expected a path starting with "\/", without spaces or control characters \(percent-encode others, like \/search\?q=a%20b\), got "\/a b"/],
    ['requests: [{ path: "/\\u00e9t\\u0101" }]', /requests\[0\]\.path: expected a path starting with "\/", without spaces/],
    ['requests: [{ path: /, headers: { x-trace: "a\\r\\nset-cookie: b" } }]', /requests\[0\]\.headers\.x-trace: expected a header value without line breaks or control characters, got "a\\r\\nset-cookie: b"/],
    ['requests: [{ path: /, headers: { x-nul: "a\\0" } }]', /requests\[0\]\.headers\.x-nul: expected a header value without line breaks or control characters/],
    ['requests: [{ path: /, headers: { "x trace": a } }]', /requests\[0\]\.headers: expected header names of letters, digits and !#\$%&'\*\+-\.\^_`\|~ only, got "x trace"/],
    ['requests: [{ path: /, headers: { "x-é": a } }]', /requests\[0\]\.headers: expected header names of letters, digits/],
    ['requests: [{ path: /, headers: { Transfer-Encoding: chunked } }]', /requests\[0\]\.headers\.Transfer-Encoding: expected no transfer-encoding header \(the client chooses the framing\), got "chunked"/],
    ['requests: [{ path: /, headers: { content-length: "5" } }]', /requests\[0\]\.headers\.content-length: expected no content-length header \(the client sets it from the body\)/],
    ['requests: [{ path: /, headers: { expect: 100-continue } }]', /requests\[0\]\.headers\.expect: expected no expect header/],
    ['requests: [{ path: /, headers: { connection: close } }]', /requests\[0\]\.headers\.connection: expected no connection header \(the load decides which connections are kept alive\)/],
    ['requests: [{ path: /, headers: { upgrade: websocket } }]', /requests\[0\]\.headers\.upgrade: expected no upgrade header \(use a longLived entry for WebSocket\)/],
    ['requests: [{ path: / }]\nlongLived: [{ kind: sse, path: "/e v" }]', /longLived\[0\]\.path: expected a path starting with "\/", without spaces/],
    ['requests: [{ path: / }]\nlongLived: [{ kind: websocket, path: /ws, headers: { x-a: "1\\n2" } }]', /longLived\[0\]\.headers\.x-a: expected a header value without line breaks/],
    ['requests: [{ path: / }]\nrequests: [{ path: /x }]', /it is not valid YAML or JSON: the key "requests" appears twice in one map at line 2$/]
  ]
  for (const [text, message] of cases) {
    t.throws(() => parseLoadFile(text, 'load.yaml'), { code: 'FST_ZERODOWN_REHEARSE_LOAD_FILE', message: new RegExp(`^Invalid load file load\\.yaml: ${message.source}`) }, text)
  }
  t.throws(() => readLoadFile('/nonexistent/load.yaml'), /Invalid load file \/nonexistent\/load.yaml: cannot read it \(ENOENT\)/)
})

test('load files are bounded: a body up to 1 MiB, a file up to 4 MiB, and never a device', async (t) => {
  const body = (bytes: number): string => JSON.stringify({ requests: [{ method: 'POST', path: '/upload', body: 'x'.repeat(bytes) }] })
  t.equal(parseLoadFile(body(1024 * 1024)).requests[0]?.body?.length, 1024 * 1024, 'a body of exactly 1 MiB')
  t.throws(() => parseLoadFile(body(1024 * 1024 + 1), 'load.json'), { message: 'Invalid load file load.json: requests[0].body: expected a body of at most 1048576 bytes (1 MiB), got "1048577 bytes"' })
  t.throws(() => parseLoadFile(JSON.stringify({ requests: [{ method: 'POST', path: '/', body: { text: 'x'.repeat(1024 * 1024) } }] }), 'load.json'), { message: /requests\[0\]\.body: expected a body of at most 1048576 bytes \(1 MiB\), got "1048587 bytes"/ }, 'a JSON body counts as sent')
  const dir = t.testdir({ 'huge.json': `{"requests":[{"path":"/"}],"x":"${'y'.repeat(4 * 1024 * 1024)}"}`, folder: {} })
  t.throws(() => readLoadFile(join(dir, 'huge.json')), { message: /^Invalid load file .*huge\.json: it is 4194338 bytes, over the limit of 4 MiB \(4194304 bytes\)$/ })
  t.throws(() => readLoadFile(join(dir, 'folder')), { message: /^Invalid load file .*folder: it is a folder; give a regular file$/ })
  t.throws(() => readLoadFile('/dev/zero'), { message: 'Invalid load file /dev/zero: it is a device; give a regular file' })
  t.throws(() => readManifestFile('/dev/zero'), { message: /\/dev\/zero.*it is a device; give a regular file/ })
})

test('probes on their own port: the env variable that carries it is found', async (t) => {
  const d = parseManifest(manifest({ probePort: 9000 }))
  t.same(d.probePort, { containerPort: 9000, env: ['ZERODOWN_PROBE_PORT'] })
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

const PDB = '---\nkind: PodDisruptionBudget\nmetadata: { name: fx }\nspec: { maxUnavailable: 1, selector: { matchLabels: {} } }\n'

test('preStop exec commands, stopSignal and the PodDisruptionBudget that selects the pods', async (t) => {
  const labelled = manifest({ preStopExec: ['/bin/check', '--drain'], stopSignal: 'SIGINT' }).replace('  template:\n    spec:', '  template:\n    metadata: { labels: { app: fx } }\n    spec:')
  t.match(parseManifest(labelled + PDB), { preStop: { exec: ['/bin/check', '--drain'] }, preStopSleepSeconds: 0, stopSignal: 'SIGINT', podDisruptionBudget: { name: 'fx', maxUnavailable: 1 } })
  t.equal(parseManifest(labelled + PDB.replace('matchLabels: {}', 'matchLabels: { app: other }')).podDisruptionBudget, undefined, 'a budget for other pods is not this one')
  t.match(parseManifest(manifest()), { preStop: { sleepSeconds: 0.5 }, stopSignal: 'SIGTERM' })
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
      /readinessProbe.httpGet.port 9000 is not the container port 8080 and no env variable \(like ZERODOWN_PROBE_PORT\) carries 9000/],
    ['two probe ports', manifest({ probePort: 9000, readiness: '{ httpGet: { path: /readyz, port: 9001 } }', env: { OTHER: '9001' } }),
      /readinessProbe.httpGet.port 9001: probes on two ports besides the container port are not rehearsed/],
    ['unknown named port', manifest({ readiness: '{ httpGet: { path: /readyz, port: metrics } }' }), /readinessProbe.httpGet.port "metrics" is neither a port number nor a named container port/],
    ['probe path', manifest({ readiness: '{ httpGet: { path: readyz, port: http } }' }), /readinessProbe.httpGet.path must start with "\/"/],
    ['zero period', manifest({ readiness: '{ httpGet: { path: /readyz, port: http }, periodSeconds: 0 }' }), /readinessProbe.periodSeconds must be a number > 0, got 0/],
    ['liveness success threshold', manifest({ liveness: '{ httpGet: { path: /livez, port: http }, successThreshold: 2 }' }), /livenessProbe.successThreshold must be 1/],
    ['httpGet preStop', manifest().replace('{ sleep: { seconds: 0.5 } }', '{ httpGet: { path: /stop, port: http } }'), /lifecycle.preStop must be sleep.seconds or exec.command \(a non-empty array\); httpGet hooks are not rehearsed/],
    ['stopSignal', manifest({ stopSignal: 'TERM' }), /lifecycle.stopSignal must be a signal name like "SIGTERM" or "SIGINT", got "TERM"/],
    ['PDB with both', manifest() + PDB.replace('maxUnavailable: 1', 'maxUnavailable: 1, minAvailable: 1'), /PodDisruptionBudget fx must set one of minAvailable and maxUnavailable/],
    ['PDB percent', manifest() + PDB.replace('maxUnavailable: 1', 'maxUnavailable: half'), /PodDisruptionBudget fx spec.maxUnavailable must be an integer >= 0 or a percentage like "50%", got "half"/],
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
    [{ command: [] }, /"command": expected the command that starts one pod, a non-empty array of strings/],
    [{ command: 'node x.js' }, /"command": expected the command that starts one pod/],
    [{ command: undefined }, /"command": expected the command that starts one pod/],
    [{ passEnv: ['OK', 'NOT OK'] }, /"passEnv": expected an array of environment variable names/],
    [{ load: { requests: [{ path: '/', expect: [] }] } }, /"load.requests\[0\].expect": expected a non-empty list of HTTP statuses/],
    [{ load: { requests: [{ path: '/' }], fastPath: '/x' } }, /"load.requests": expected either requests or the fastPath\/slowPath shorthands, not both/],
    [{ versionEnv: 'APP VERSION' }, /"versionEnv": expected an environment variable name/],
    [{ oldVersion: '1', newVersion: '1' }, /"newVersion": expected a version different from oldVersion/],
    [{ env: { A: 1 } }, /"env": expected an object of string values/],
    [{ load: { rate: 0 } }, /"load.rate": expected requests per second/],
    [{ load: { connections: 1.5 } }, /"load.connections": expected an integer from 1 to 256/],
    [{ load: { slowShare: 2 } }, /"load.slowShare": expected a number from 0 to 1/],
    [{ load: { slowPath: 'work' } }, /"load.slowPath": expected a path starting with "\/"/],
    [{ manifest: '' }, /"manifest": expected a non-empty string/],
    [{ addDelayMs: -5 }, /"addDelayMs": expected a number of milliseconds >= 0, got number -5/],
    [{ removeDelayMs: 'late' }, /"removeDelayMs": expected a number of milliseconds >= 0, got "late"/],
    [{ proxy: 'haproxy' }, /"proxy": expected one of kube-proxy, ingress, nginx, got "haproxy"/],
    [{ load: { model: 'poisson' } }, /"load.model": expected "closed" or "open", got "poisson"/],
    [{ load: { burstMs: 100 } }, /"load.burstMs": expected bursts with the open loop only/],
    [{ load: { retries: 1.5 } }, /"load.retries": expected an integer from 0 to 10/],
    [{ scenario: 'blue-green' }, /"scenario": expected one of rolling-update, node-drain, rollback, restart, got "blue-green"/],
    [{ pidNamespace: 'yes' }, /"pidNamespace": expected a boolean/]
  ]
  for (const [opts, message] of cases) {
    t.throws(() => resolveOptions({ ...base, ...opts } as never), { code: 'FST_ZERODOWN_REHEARSE_INVALID_OPTION', message }, JSON.stringify(opts))
  }
  t.throws(() => resolveOptions(null as never), RehearseInvalidOptionError)
  t.match(resolveOptions({ command: ['node', 'x.js'] }), { command: [process.execPath, 'x.js'], oldVersion: '1.0.0', newVersion: '2.0.0', propagationDelayMs: 2000 },
    '"node" is the running Node.js')
  t.match(resolveOptions({ ...base, propagationDelayMs: 700 }), { addDelayMs: 700, removeDelayMs: 700, proxy: 'kube-proxy', load: { model: 'closed', burstMs: 0, retries: 0 } },
    'the propagation delay sets both directions')
  t.match(resolveOptions({ ...base, propagationDelayMs: 700, addDelayMs: 5000 }), { addDelayMs: 5000, removeDelayMs: 700 }, 'each direction on its own')
  t.match(resolveOptions({ command: ['x'], scenario: 'restart', oldVersion: '1', newVersion: '1' }), { scenario: 'restart', newVersion: '1' }, 'a restart runs one version')
  t.match(resolveOptions({ command: ['x'], scenario: 'node-drain' }), { oldVersion: '1.0.0', newVersion: '1.0.0', pidNamespace: true })
})

test('a load file can add long-lived clients; each wrong field is named, in the file and in the options', async (t) => {
  const file = parseLoadFile(`requests: [{ path: / }]
longLived:
  - { kind: websocket, path: /ws, clients: 20, messageWithinMs: 5000 }
  - { kind: sse, path: /events, headers: { Authorization: Bearer x } }
`, 'load.yaml')
  t.same(file.longLived, [
    { kind: 'websocket', path: '/ws', clients: 20, headers: {}, messageWithinMs: 5000 },
    { kind: 'sse', path: '/events', clients: 10, headers: { authorization: 'Bearer x' }, maxRetryMs: 2000 }
  ])
  t.equal(parseLoadFile('requests: [{ path: / }]').longLived, undefined, 'none unless asked for')
  const cases: Array<[string, RegExp]> = [
    ['longLived: { kind: sse }', /longLived: expected a list of long-lived clients like \[\{ kind: websocket, path: \/ws, clients: 20 \}\], got object/],
    ['longLived: [{ kind: websockets, path: /ws }]', /longLived\[0\]\.kind: expected one of websocket, sse, got "websockets"/],
    ['longLived: [{ kind: sse, path: events }]', /longLived\[0\]\.path: expected a path starting with "\/", without spaces or control characters .*, got "events"/],
    ['longLived: [{ kind: sse, path: /e }, { kind: websocket, path: /ws, clients: 0 }]', /longLived\[1\]\.clients: expected an integer from 1 to 1000, got number 0/],
    ['longLived: [{ kind: sse, path: /e, rate: 2 }]', /longLived\[0\]\.rate: expected one of the fields kind, path, clients, headers, messageWithinMs, maxRetryMs/],
    ['longLived: [{ kind: sse, path: /e, messageWithinMs: 5s }]', /longLived\[0\]\.messageWithinMs: expected a number of milliseconds >= 0, got "5s"/],
    ['longLived: [{ kind: websocket, path: /ws, maxRetryMs: 100 }]', /longLived\[0\]\.maxRetryMs: expected no maxRetryMs on a websocket entry/],
    ['longLived: [{ kind: sse, path: /e, headers: { x: 1 } }]', /longLived\[0\]\.headers\.x: expected a string, got number 1/]
  ]
  for (const [text, message] of cases) {
    t.throws(() => parseLoadFile(`requests: [{ path: / }]\n${text}`, 'load.yaml'), { code: 'FST_ZERODOWN_REHEARSE_LOAD_FILE', message: new RegExp(`^Invalid load file load\\.yaml: ${message.source}`) }, text)
  }
  const base = { command: ['node', 'x.js'], deployment: parseManifest(manifest()) }
  t.throws(() => resolveOptions({ ...base, load: { longLived: [{ kind: 'sse', path: '/e', clients: 2.5 }] } }),
    { code: 'FST_ZERODOWN_REHEARSE_INVALID_OPTION', message: 'Invalid @zerodown/rehearse option "load.longLived[0].clients": expected an integer from 1 to 1000, got number 2.5' })
  const resolved = resolveOptions({ ...base, load: { longLived: file.longLived! } }).load.longLived
  t.same(resolved, file.longLived, 'what a load file gave resolves to itself (the CLI passes it on as options)')
})

test('container mode: the podman run of a pod from the chart\'s hardened manifest', async (t) => {
  const { deploymentFromValues } = await import('../src/manifest/values.js')
  const { runArgs, nonRootViolation } = await import('../src/runtime/run-args.js')
  const spec = await deploymentFromValues([fileURLToPath(new URL('../../../deploy/examples/rehearsal.yaml', import.meta.url))])
  t.match(spec.pod, { runAsUser: 1000, runAsGroup: 1000, runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: [] }, emptyDirs: ['/tmp'], stopSignalSet: false, warnings: [] })
  const args = runArgs({
    engine: 'podman',
    name: 'shop-abc-0',
    runId: 'run1',
    podName: 'shop-abc',
    image: 'localhost/shop:2',
    imageUser: '10001:10001',
    pod: spec.pod,
    env: { ZERODOWN_APP_VERSION: '2', HOSTNAME: 'shop-abc' },
    ports: [{ host: 40001, container: 8080 }, { host: 40002, container: 9000 }]
  })
  const pairs = (flag: string): string[] => args.flatMap((a, i) => a === flag ? [args[i + 1]!] : [])
  t.same(args.slice(0, 12), ['run', '--rm', '--name', 'shop-abc-0', '--label', 'zerodown.rehearse=run1', '--hostname', 'shop-abc', '--pull', 'never', '--sig-proxy=false', '--publish'])
  t.same(pairs('--publish'), ['127.0.0.1:40001:8080', '127.0.0.1:40002:9000'], 'ports on 127.0.0.1 only, to free loopback ports')
  t.same(pairs('--user'), ['1000:1000'], 'runAsUser:runAsGroup')
  t.ok(args.includes('--read-only') && args.includes('--read-only-tmpfs=false'), 'read-only root, and no tmpfs a kubelet would not add')
  t.same(pairs('--tmpfs'), ['/tmp:rw,mode=1777'], 'the emptyDir as a tmpfs at its mountPath')
  t.same(pairs('--cap-drop'), ['ALL'])
  t.same(pairs('--security-opt'), ['no-new-privileges'], 'allowPrivilegeEscalation false')
  t.same(pairs('--env'), ['ZERODOWN_APP_VERSION=2', 'HOSTNAME=shop-abc'])
  t.notOk(args.includes('--entrypoint'), 'no command: the image\'s entrypoint')
  t.equal(args.at(-1), 'localhost/shop:2', 'no args: the image\'s CMD')
  t.notOk(runArgs({ engine: 'docker', name: 'n', runId: 'r', podName: 'p', image: 'i', imageUser: '', pod: spec.pod, env: {}, ports: [] }).includes('--read-only-tmpfs=false'), 'docker has no such flag')

  const custom = parseManifest(manifest({ preStop: 0, stopSignal: 'SIGINT' }).replace('      containers:\n        - name: app\n',
    '      volumes: [{ name: config, configMap: { name: app } }]\n      containers:\n        - name: app\n          command: [node, --enable-source-maps]\n          args: [dist/server.js]\n          volumeMounts: [{ name: config, mountPath: /etc/app }]\n'))
  t.match(custom.pod, { command: ['node', '--enable-source-maps'], args: ['dist/server.js'], stopSignalSet: true, emptyDirs: [] })
  t.match(custom.pod.warnings, [/the volume config at \/etc\/app is not mounted in the container mode/])
  const argv = runArgs({ engine: 'podman', name: 'n', runId: 'r', podName: 'p', image: 'img', imageUser: '', pod: custom.pod, env: {}, ports: [] })
  t.same(argv.slice(-5), ['--entrypoint', 'node', 'img', '--enable-source-maps', 'dist/server.js'], 'command replaces the entrypoint, args the CMD')

  // The kubelet's runAsNonRoot check, before it creates the container.
  const nonRoot = { ...custom.pod, runAsNonRoot: true }
  t.equal(nonRootViolation(nonRoot, ''), 'container has runAsNonRoot and image will run as root')
  t.match(nonRootViolation(nonRoot, 'node'), /non-numeric user \(node\)/)
  t.equal(nonRootViolation(nonRoot, '10001:10001'), undefined)
  t.match(nonRootViolation({ ...nonRoot, runAsUser: 0 }, '10001'), /runAsUser breaks non-root policy/)
  t.equal(nonRootViolation({ ...nonRoot, runAsUser: 1000 }, 'root'), undefined)
})

test('container mode: bad options are refused before anything starts', async (t) => {
  const { imageTag } = await import('../src/runtime/container-options.js')
  t.equal(imageTag('localhost:5000/shop:2.0.0'), '2.0.0')
  t.equal(imageTag('localhost:5000/shop'), undefined)
  t.equal(imageTag('shop:1@sha256:abc'), '1')
  const cases: Array<[string, object, RegExp]> = [
    ['runtime without image', { command: ['x'], runtime: 'podman' }, /"runtime": expected an image to run/],
    ['image and old image', { image: 'a:1', oldImage: 'b:1', newImage: 'c:2' }, /"image": expected either image or oldImage and newImage/],
    ['old image alone', { oldImage: 'a:1' }, /"newImage": expected an image reference: oldImage and newImage go together/],
    ['bad reference', { image: 'a b' }, /"image": expected an image reference like localhost\/app:1\.0\.0, got "a b"/],
    ['unknown runtime', { image: 'a:1', runtime: 'lxc' }, /"runtime": expected one of podman, docker, got "lxc"/]
  ]
  for (const [name, options, message] of cases) t.throws(() => resolveOptions(options as never), message, name)
  const saved = process.env.PATH
  process.env.PATH = '/nonexistent'
  t.teardown(() => { process.env.PATH = saved })
  t.throws(() => resolveOptions({ image: 'a:1' }), { code: 'FST_ZERODOWN_REHEARSE_RUNTIME', message: /neither podman nor docker is on PATH/ })
  t.throws(() => resolveOptions({ image: 'a:1', runtime: 'docker' }), { code: 'FST_ZERODOWN_REHEARSE_RUNTIME', message: /Cannot use the container runtime docker: docker is not on PATH/ })
})

test('every numeric option at its limit is taken, one unit past it refused', async (t) => {
  const base = { command: ['node', 'x.js'] }
  const cases: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
    ['load.rate', { load: { rate: 10_000 } }, { load: { rate: 10_001 } }],
    ['load.rate', { load: { rate: 0.001 } }, { load: { rate: 0 } }],
    ['load.connections', { load: { connections: 1 } }, { load: { connections: 0 } }],
    ['load.connections', { load: { connections: 256 } }, { load: { connections: 257 } }],
    ['load.slowShare', { load: { slowShare: 0, slowPath: '/s' } }, { load: { slowShare: -0.01, slowPath: '/s' } }],
    ['load.slowShare', { load: { slowShare: 1, slowPath: '/s' } }, { load: { slowShare: 1.01, slowPath: '/s' } }],
    ['load.retries', { load: { retries: 0 } }, { load: { retries: -1 } }],
    ['load.retries', { load: { retries: 10 } }, { load: { retries: 11 } }],
    ['load.timeoutMs', { load: { timeoutMs: 0 } }, { load: { timeoutMs: -1 } }],
    ['propagationDelayMs', { propagationDelayMs: 0 }, { propagationDelayMs: -1 }],
    ['warmupMs', { warmupMs: 0 }, { warmupMs: -1 }]
  ]
  for (const [name, limit, past] of cases) {
    t.doesNotThrow(() => resolveOptions({ ...base, ...limit } as never), `${name} ${JSON.stringify(limit)} is taken`)
    t.throws(() => resolveOptions({ ...base, ...past } as never), { code: 'FST_ZERODOWN_REHEARSE_INVALID_OPTION', message: new RegExp(`"${name.replace('.', '\\.')}"`) }, `${name} ${JSON.stringify(past)} is refused`)
  }
})

test('what a request expects: by default 200 to 399, else exactly the statuses listed', async (t) => {
  for (const [status, ok] of [[199, false], [200, true], [399, true], [400, false], [500, false]] as const) {
    t.equal(isExpected({}, status), ok, `default, status ${status}`)
  }
  for (const [status, ok] of [[200, false], [201, true], [202, false]] as const) {
    t.equal(isExpected({ expect: [201] }, status), ok, `expect [201], status ${status}`)
  }
})
