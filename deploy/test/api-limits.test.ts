// What the API server or the kubelet refuses and the OpenAPI schema cannot say: image references by
// the registry grammar, and the size limits, each at the limit and one past it.
import { test } from 'tap'
import { lint, type ValuesOverride } from '../src/index.js'

const paths = (overrides: ValuesOverride): string[] => lint(overrides).map((problem) => problem.path)

test('image repositories by the distribution/reference grammar', async (t) => {
  const valid = ['app', 'ghcr.io/acme/shop', 'localhost:5000/team/app', 'registry.example.com:443/a/b/c', 'docker.io/library/node', 'a__b', 'a.b_c--d/e', '[::1]:5000/app', 'x'.repeat(255)]
  for (const repository of valid) t.same(paths({ image: { repository } }), [], `${repository.slice(0, 40)} passes`)
  const invalid: Array<[string, RegExp]> = [
    ['a b', /^image\.repository "a b" is not an image repository the kubelet can pull \(it would fail with InvalidImageName\)/],
    ['ghcr.io/x:1.0', /^image\.repository "ghcr\.io\/x:1\.0" holds a tag: put it in image\.tag/],
    ['app:1.0', /holds a tag/],
    ['ghcr.io/x@sha256:abc', /holds a digest: put it in image\.digest/],
    ['Shop', /is not an image repository/],
    ['ghcr.io/Acme/shop', /is not an image repository/],
    ['-app', /is not an image repository/],
    ['app-', /is not an image repository/],
    ['a...b', /is not an image repository/],
    ['a//b', /is not an image repository/],
    ['/app', /is not an image repository/],
    ['ghcr.io/', /is not an image repository/],
    ['x'.repeat(256), /^image\.repository is 256 characters, over the 255 an image name may have$/]
  ]
  for (const [repository, message] of invalid) {
    const problems = lint({ image: { repository } })
    t.same(problems.map((problem) => problem.path), ['image.repository'], repository.slice(0, 40))
    t.match(problems[0]?.message, message)
  }
})

test('a ConfigMap holds at most 1 MiB of values', async (t) => {
  const config = (total: number): ValuesOverride => ({ config: { A: 'a'.repeat(total - 1024), B: 'b'.repeat(1024) } })
  t.same(paths(config(1024 * 1024)), [], 'exactly 1 MiB passes')
  const over = lint(config(1024 * 1024 + 1))
  t.same(over, [{ path: 'config', message: 'config holds 1048577 bytes of values, over the API server\'s limit of 1048576 bytes (1 MiB) for a ConfigMap; mount large files from a volume instead' }])
  t.same(paths({ config: { A: 'é'.repeat(512 * 1024) + 'x' } }), ['config'], 'bytes, not characters: 512 Ki two-byte characters and one more are 1 MiB + 1 byte')
})

test('the annotations of an object total at most 256 KiB, keys included', async (t) => {
  const service = (total: number): ValuesOverride => ({ service: { annotations: { 'example.com/big': 'x'.repeat(total - 'example.com/big'.length) } } })
  t.same(paths(service(256 * 1024)), [], 'exactly 256 KiB passes')
  t.same(lint(service(256 * 1024 + 1)), [{
    path: 'Service/zerodown metadata.annotations',
    message: 'the annotations of Service/zerodown total 262145 bytes (from commonAnnotations and service.annotations), over the API server\'s limit of 262144 bytes (256 KiB); move large data to a ConfigMap'
  }])
  const pod = (total: number): ValuesOverride => ({ podAnnotations: { big: 'x'.repeat(total - 3) } })
  t.same(paths(pod(256 * 1024)), [], 'pod annotations at the limit pass')
  t.same(paths(pod(256 * 1024 + 1)), ['podAnnotations'])
  // commonAnnotations reach every object: each one over the limit is named.
  t.same(paths({ commonAnnotations: { big: 'x'.repeat(256 * 1024) } }), [
    'ServiceAccount/zerodown metadata.annotations', 'Service/zerodown metadata.annotations', 'Deployment/zerodown metadata.annotations', 'PodDisruptionBudget/zerodown metadata.annotations'
  ])
})
