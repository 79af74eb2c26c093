import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test } from 'tap'
import { parse, parseAllDocuments } from 'yaml'
import { checkOpenApi } from '../src/openapi.js'
import { render, writeOutputDir, type KubernetesObject } from '../src/index.js'

// The built bin, exactly as npm links it.
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url))

// Without tap's loaders in NODE_OPTIONS: the bin runs as a user runs it, and starts fast.
const env = { ...process.env, NODE_OPTIONS: '' }

function run (cwd: string, args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env })
}

function documents (yaml: string): any[] {
  const docs = parseAllDocuments(yaml)
  if (!Array.isArray(docs)) throw new Error('not a YAML stream')
  for (const doc of docs) if (doc.errors.length > 0) throw doc.errors[0]
  return docs.map((doc) => doc.toJS())
}

const byKind = (objects: any[], kind: string): any => objects.find((object) => object.kind === kind)

test('render prints multi-document YAML that kubectl apply -f - takes', async (t) => {
  const result = run(t.testdir({}), ['render', 'shop', '--namespace', 'prod'])
  t.equal(result.status, 0, result.stderr)
  t.equal(result.stderr, '')
  const objects = documents(result.stdout)
  t.same(objects.map((object) => object.kind), ['ServiceAccount', 'Service', 'Deployment', 'PodDisruptionBudget'])
  for (const object of objects) {
    t.match(object.metadata, { name: 'shop-zerodown', namespace: 'prod' })
    t.same(checkOpenApi(object as KubernetesObject), [], `${object.kind as string} passes the OpenAPI schema`)
  }
})

test('values files and --set merge in order, later ones winning, like Helm', async (t) => {
  const cwd = t.testdir({
    'base.yaml': 'replicas: 4\nimage:\n  tag: "1.0.0"\nrollout:\n  maxSurge: 25%\nservice:\n  annotations:\n    team: web\n',
    'prod.yaml': 'image:\n  tag: "1.1.0"\nservice:\n  type: LoadBalancer\n',
    'empty.yaml': ''
  })
  const result = run(cwd, [
    'render', 'shop', '-f', 'base.yaml', '--values', 'prod.yaml', '-f', 'empty.yaml',
    '--set', 'replicas=6,shutdown.timeoutSeconds=25', '--set', 'terminationGracePeriodSeconds=40',
    '--set-string', 'service.annotations.example\\.com/port=8080'
  ])
  t.equal(result.status, 0, result.stderr)
  const objects = documents(result.stdout)
  const deployment = byKind(objects, 'Deployment')
  t.equal(deployment.spec.replicas, 6, '--set wins over the files')
  t.equal(deployment.spec.strategy.rollingUpdate.maxSurge, '25%', 'the first file still counts where nothing overrides it')
  t.equal(deployment.spec.template.spec.containers[0].image, 'ghcr.io/zerodown/demo:1.1.0', 'the later file wins')
  t.equal(deployment.spec.template.spec.terminationGracePeriodSeconds, 40)
  t.match(deployment.spec.template.spec.containers[0].env, [{ name: 'ZERODOWN_APP_VERSION', value: '1.1.0' }, {}, {}, { name: 'ZERODOWN_SHUTDOWN_TIMEOUT_MS', value: '25000' }])
  t.same(byKind(objects, 'Service').metadata.annotations, { team: 'web', 'example.com/port': '8080' }, 'maps merge key by key')
  t.equal(byKind(objects, 'Service').spec.type, 'LoadBalancer')
})

test('--output-dir writes a Kustomize base: one file per object and a kustomization.yaml', async (t) => {
  const cwd = t.testdir({})
  const result = run(cwd, ['render', 'shop', '--output-dir', 'out/base', '--set', 'autoscaling.enabled=true,ingress.enabled=true'])
  t.equal(result.status, 0, result.stderr)
  const dir = join(cwd, 'out', 'base')
  const kustomization = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8'))
  t.same(kustomization, {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: ['serviceaccount.yaml', 'service.yaml', 'deployment.yaml', 'horizontalpodautoscaler.yaml', 'poddisruptionbudget.yaml', 'ingress.yaml']
  })
  t.same(readdirSync(dir).sort(), [...kustomization.resources, 'kustomization.yaml', '.zerodown-deploy-files'].sort(), 'nothing else is written')
  t.same(readFileSync(join(dir, '.zerodown-deploy-files'), 'utf8').trimEnd().split('\n'), [...kustomization.resources, 'kustomization.yaml'], 'the manifest lists what it wrote')
  for (const file of kustomization.resources as string[]) {
    const objects = documents(readFileSync(join(dir, file), 'utf8'))
    t.equal(objects.length, 1, `${file} holds one object`)
    t.equal(`${(objects[0].kind as string).toLowerCase()}.yaml`, file)
    t.same(checkOpenApi(objects[0]), [], `${file} passes the OpenAPI schema`)
  }
  t.notOk('replicas' in byKind(documents(readFileSync(join(dir, 'deployment.yaml'), 'utf8')), 'Deployment').spec)
  t.match(result.stdout, /wrote .*kustomization\.yaml\n$/)
})

test('with any problem, render prints and writes nothing and exits 1', async (t) => {
  const cwd = t.testdir({ 'bad.yaml': 'replicas: 1\nrollout:\n  maxSurge: lots\n' })
  const result = run(cwd, ['render', '-f', 'bad.yaml', '--output-dir', 'out'])
  t.equal(result.status, 1)
  t.equal(result.stdout, '')
  t.equal(result.stderr, 'zerodown-deploy: 1 problem(s); nothing was printed or written:\n  rollout.maxSurge: must be an integer or a percentage like "25%"\n')
  t.notOk(existsSync(join(cwd, 'out')), 'no output folder')

  const rules = run(cwd, ['render', '--set', 'replicas=1,image.tag=latest'])
  t.equal(rules.status, 1)
  t.equal(rules.stdout, '')
  t.match(rules.stderr, /^zerodown-deploy: 2 problem\(s\); nothing was printed or written:\n {2}replicas: replicas 1 leaves a single pod.*\n {2}image\.tag: image\.tag "latest" is not a version/)
})

test('lint prints every problem and exits 1, or says all is well', async (t) => {
  const cwd = t.testdir({})
  const ok = run(cwd, ['lint'])
  t.equal(ok.status, 0, ok.stderr)
  t.equal(ok.stdout, 'zerodown-deploy: no problems; 4 objects pass the rules and the Kubernetes OpenAPI schema\n')

  const bad = run(cwd, ['lint', 'shop', '--set', 'terminationGracePeriodSeconds=29', '--set', 'probes.liveness.path=/readyz'])
  t.equal(bad.status, 1)
  t.equal(bad.stdout, '')
  const lines = bad.stderr.trimEnd().split('\n')
  t.equal(lines[0], 'zerodown-deploy: 2 problem(s); nothing was rendered:')
  t.match(lines[1], /^ {2}terminationGracePeriodSeconds: terminationGracePeriodSeconds 29 is shorter than shutdown\.preStop\.sleepSeconds 5 \+ shutdown\.timeoutSeconds 20 \+ shutdown\.marginSeconds 5 = 30 s/)
  t.match(lines[2], /^ {2}probes\.liveness\.path: probes\.readiness\.path and probes\.liveness\.path are both "\/readyz"/)
})

test('bad arguments exit 2 with a message and the usage', async (t) => {
  const cwd = t.testdir({})
  const cases: Array<[string[], RegExp]> = [
    [[], /zerodown-deploy: a command is required\n\nUsage:/],
    [['deploy'], /unknown command "deploy"/],
    [['render', 'a', 'b'], /unexpected argument "b"/],
    [['render', '--bogus'], /Unknown option '--bogus'/],
    [['render', 'Bad_Name'], /Invalid release name: expected at most 53 lowercase letters, digits and "-", starting and ending with a letter or digit, got "Bad_Name"/],
    [['lint', '--output-dir', 'x'], /--output-dir only applies to render/],
    [['render', '--set', 'replicas'], /Invalid --set: expected key=value, got "replicas"/]
  ]
  for (const [args, message] of cases) {
    const result = run(cwd, args)
    t.equal(result.status, 2, args.join(' '))
    t.equal(result.stdout, '')
    t.match(result.stderr, message)
    t.match(result.stderr, /Usage: zerodown-deploy/)
  }
})

// A values file from an attacker or an accident: each is refused in one line that names the file, with no usage text.
test('values files that cannot be used exit 2, naming the file and why, without the usage', async (t) => {
  const bomb = 'a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n' +
    'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n'
  const cwd = t.testdir({
    'list.yaml': '- a\n- b\n',
    'broken.yaml': 'a: [\n',
    'twice.yaml': 'replicas: 3\nimage:\n  tag: "1.0"\nreplicas: 4\n',
    'bomb.yaml': bomb,
    'two.yaml': 'replicas: 3\n---\nreplicas: 4\n',
    'big.yaml': `config:\n  BIG: "${'x'.repeat(4 * 1024 * 1024)}"\n`,
    folder: {}
  })
  const cases: Array<[string, RegExp]> = [
    ['missing.yaml', /^zerodown-deploy: Cannot use values file missing\.yaml: cannot read it \(ENOENT\)\n$/],
    ['list.yaml', /^zerodown-deploy: Cannot use values file list\.yaml: expected a map of values at the top level\n$/],
    ['broken.yaml', /^zerodown-deploy: Cannot use values file broken\.yaml: not valid YAML: .* at line 2, column 1\n$/],
    ['twice.yaml', /^zerodown-deploy: Cannot use values file twice\.yaml: not valid YAML: the key "replicas" appears twice in one map at line 4\n$/],
    ['bomb.yaml', /^zerodown-deploy: Cannot use values file bomb\.yaml: cannot expand it: Excessive alias count indicates a resource exhaustion attack\n$/],
    ['two.yaml', /^zerodown-deploy: Cannot use values file two\.yaml: it holds 2 YAML documents; expected one\n$/],
    ['big.yaml', /^zerodown-deploy: Cannot use values file big\.yaml: it is 4194322 bytes, over the limit of 4 MiB \(4194304 bytes\)\n$/],
    ['folder', /^zerodown-deploy: Cannot use values file folder: it is a folder; give a regular file\n$/],
    ['/dev/zero', /^zerodown-deploy: Cannot use values file \/dev\/zero: it is a device; give a regular file\n$/]
  ]
  for (const [file, message] of cases) {
    const result = run(cwd, ['lint', '-f', file])
    t.equal(result.status, 2, file)
    t.equal(result.stdout, '')
    t.match(result.stderr, message)
  }
})

test('--help prints the usage', async (t) => {
  const result = run(t.testdir({}), ['--help'])
  t.equal(result.status, 0)
  t.match(result.stdout, /^Usage: zerodown-deploy <render\|lint> \[RELEASE\]/)
})

test('--output-dir removes the files it wrote before that no longer apply, and never a file it did not write', async (t) => {
  const cwd = t.testdir({ out: { 'README.md': '# mine\n', 'ingress.yaml.bak': 'mine too\n' } })
  const dir = join(cwd, 'out')
  t.equal(run(cwd, ['render', 'shop', '--output-dir', 'out', '--set', 'ingress.enabled=true']).status, 0)
  t.ok(existsSync(join(dir, 'ingress.yaml')))
  const again = run(cwd, ['render', 'shop', '--output-dir', 'out'])
  t.equal(again.status, 0, again.stderr)
  t.notOk(existsSync(join(dir, 'ingress.yaml')), 'the stale Ingress is gone, so kubectl apply -f out/ cannot apply it')
  t.same(readdirSync(dir).sort(), ['.zerodown-deploy-files', 'README.md', 'deployment.yaml', 'ingress.yaml.bak', 'kustomization.yaml', 'poddisruptionbudget.yaml', 'service.yaml', 'serviceaccount.yaml'])
  t.equal(readFileSync(join(dir, 'README.md'), 'utf8'), '# mine\n', 'the user\'s own files stay')
  t.equal(readFileSync(join(dir, 'ingress.yaml.bak'), 'utf8'), 'mine too\n')
  // A list that names a file it never wrote is not obeyed blindly: only plain *.yaml names count.
  writeFileSync(join(dir, '.zerodown-deploy-files'), 'deployment.yaml\n../escape.yaml\nREADME.md\n')
  writeFileSync(join(cwd, 'escape.yaml'), 'outside\n')
  t.equal(run(cwd, ['render', 'shop', '--output-dir', 'out']).status, 0)
  t.ok(existsSync(join(cwd, 'escape.yaml')), 'nothing outside the folder is removed')
  t.ok(existsSync(join(dir, 'README.md')))
})

test('--output-dir refuses to overwrite a file it did not write, and changes nothing', async (t) => {
  const cwd = t.testdir({ out: { 'service.yaml': 'kind: Service # hand-written\n' } })
  const result = run(cwd, ['render', 'shop', '--output-dir', 'out'])
  t.equal(result.status, 2)
  t.match(result.stderr, /Cannot write out\/service\.yaml: it was not written by zerodown-deploy; move it away or choose another --output-dir/)
  t.same(readdirSync(join(cwd, 'out')), ['service.yaml'], 'nothing written')
  t.equal(readFileSync(join(cwd, 'out', 'service.yaml'), 'utf8'), 'kind: Service # hand-written\n')
})

test('--output-dir is all or nothing: a write that fails part way leaves the folder as it was', async (t) => {
  const cwd = t.testdir({})
  const dir = join(cwd, 'out')
  writeOutputDir(dir, render({}, { release: 'shop' }))
  const before = Object.fromEntries(readdirSync(dir).map((name) => [name, readFileSync(join(dir, name), 'utf8')]))
  // Something that is not ours sits where the Ingress would be staged: that write fails, after others succeeded.
  mkdirSync(join(dir, '.ingress.yaml.zerodown-tmp'))
  t.throws(() => writeOutputDir(dir, render({ ingress: { enabled: true }, replicas: 5 }, { release: 'shop' })), { code: 'FST_ZERODOWN_DEPLOY_OUTPUT_DIR', message: /^Cannot write .*out: EEXIST/ })
  const after = Object.fromEntries(readdirSync(dir).filter((name) => name !== '.ingress.yaml.zerodown-tmp').map((name) => [name, readFileSync(join(dir, name), 'utf8')]))
  t.same(after, before, 'the old files, unchanged, and no half-written ones')
  t.ok(existsSync(join(dir, '.ingress.yaml.zerodown-tmp')), 'what was not ours stays')
})

test('strings that YAML 1.1 reads as booleans or numbers stay strings, and null removes a default from the command line', async (t) => {
  const cwd = t.testdir({ 'drop.yaml': 'container:\n  resources:\n    limits:\n      memory: ~\n' })
  const result = run(cwd, ['render', '-f', 'drop.yaml', '--set-string', 'config.FEATURE=yes,container.env.DEBUG=off,config.on=1_000', '--set', 'container.resources.requests.cpu=null'])
  t.equal(result.status, 0, result.stderr)
  t.match(result.stdout, /\n {2}FEATURE: "yes"\n/)
  t.match(result.stdout, /\n {2}"on": "1_000"\n/)
  t.match(result.stdout, /\n {14}value: "off"\n/)
  const objects = parseAllDocuments(result.stdout, { version: '1.1' })
  if (!Array.isArray(objects)) throw new Error('not a YAML stream')
  const parsed = objects.map((document) => document.toJS())
  t.same(byKind(parsed, 'ConfigMap').data, { FEATURE: 'yes', on: '1_000' }, 'a YAML 1.1 reader reads the strings')
  t.same(byKind(parsed, 'Deployment').spec.template.spec.containers[0].resources, { requests: { memory: '128Mi' }, limits: {} })
})

test('with autoscaling, render and lint print how to hand replicas over, and still succeed', async (t) => {
  const cwd = t.testdir({})
  for (const command of ['render', 'lint']) {
    const result = run(cwd, [command, '--set', 'autoscaling.enabled=true'])
    t.equal(result.status, 0, command)
    t.match(result.stderr, /^zerodown-deploy: note: autoscaling\.enabled: the Deployment leaves spec\.replicas to the HorizontalPodAutoscaler\..*kubectl apply set-last-applied/)
  }
  t.equal(run(cwd, ['render']).stderr, '', 'no note without autoscaling')
})
