// --cluster's refusals, before anything touches a cluster (the rehearsal on a real one is tested in
// the repository's cluster/ suite, against a real Kubernetes).
import { spawnSync } from 'node:child_process'
import { test } from 'tap'
import { parseManifest } from '../src/index.js'
import { resolveOptions } from '../src/options.js'
import { CLI } from './fixtures/cli.js'
import { manifest } from './fixtures/helpers.js'

const deployment = parseManifest(manifest())

test('cluster options: what a real cluster cannot rehearse, or a target that is malformed, is refused by name', async (t) => {
  const resolve = (extra: object): unknown => resolveOptions({ deployment, cluster: { context: 'staging' }, ...extra })
  t.throws(() => resolve({ scenario: 'node-drain' }), { message: /"scenario": expected rolling-update, rollback or restart with a cluster: a node drain would evict every pod of a real node/ })
  t.throws(() => resolve({ command: ['node', 'server.js'] }), { message: /"command": expected no command with a cluster/ })
  t.throws(() => resolve({ runtime: 'podman' }), { message: /"runtime": expected no container runtime with a cluster/ })
  t.throws(() => resolveOptions({ deployment, cluster: { url: 'shop.example.com' } }), { message: /"cluster\.url": expected an http:\/\/ or https:\/\/ URL/ })
  t.throws(() => resolveOptions({ deployment, cluster: { namespace: 'Shop_1' } }), { message: /"cluster\.namespace": expected a namespace name/ })
  t.throws(() => resolveOptions({ deployment, cluster: { context: '' } }), { message: /"cluster\.context": expected a non-empty string/ })
  const resolved = resolveOptions({ deployment, cluster: {}, oldImage: 'localhost/shop:1.4.0', newImage: 'localhost/shop:1.5.0' })
  t.same(resolved.cluster, { target: {}, oldImage: 'localhost/shop:1.4.0', newImage: 'localhost/shop:1.5.0', oldVersion: '1.4.0', newVersion: '1.5.0' })
  t.same([resolved.oldVersion, resolved.newVersion], ['1.4.0', '1.5.0'], 'the versions are the images\' tags')
  t.same(resolved.command, [], 'no command: the cluster runs the image')
  t.equal(resolved.containers, undefined, 'no container engine here')
})

test('the CLI: the cluster flags need --cluster; an unreadable kubeconfig is exit 2 naming it', async (t) => {
  const dir = t.testdir({ 'fx.yaml': manifest() })
  const run = (args: string[]): ReturnType<typeof spawnSync> => spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } })
  const lonely = run(['--context', 'staging', '--manifest', 'fx.yaml', '--', 'node', 'x.js'])
  t.equal(lonely.status, 2)
  t.match(String(lonely.stderr), /^zerodown-rehearse: --context needs --cluster\n/)
  const unreadable = run(['--cluster', '--kubeconfig', 'missing.kubeconfig', '--manifest', 'fx.yaml'])
  t.equal(unreadable.status, 2)
  t.match(String(unreadable.stderr), /^zerodown-rehearse: Cannot rehearse on the cluster missing\.kubeconfig: cannot read the kubeconfig: .*missing\.kubeconfig/)
  const compared = run(['--cluster', '--compare', '--manifest', 'fx.yaml'])
  t.equal(compared.status, 2)
  t.match(String(compared.stderr), /--cluster rehearses the manifest's image on the cluster: it cannot be used with --compare or --baseline/)
})
