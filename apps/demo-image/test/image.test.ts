// The demo image as a user sees it run: built from apps/demo/Dockerfile on the local base image
// (scripts/containers), started as Kubernetes starts it with the chart's hardened pod (read-only root
// file system with an emptyDir-like /tmp, all capabilities dropped, ports on 127.0.0.1 only), then
// stopped with SIGTERM through the engine. Needs podman as root; see apps/demo/README.md.
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { test } from 'tap'
import { Client } from 'undici'
import { engineReady, engineSkip } from './engine.js'
import { imageScript, podman, removeContainer, removeOrphans, runContainer } from './podman.js'

/** What the image is built with; /version must report exactly this. */
const BUILD = { version: '1.0.0', commit: 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00', buildTime: '2026-11-25T00:00:00Z' }
const TAG = 'localhost/zerodown-demo:image-test'
const OWNER = 'demo-image'
/** The shutdown plugin's drain delay when KUBERNETES_SERVICE_HOST is set, and Kubernetes' default grace period. */
const DRAIN_SECONDS = 5
const GRACE_SECONDS = 30

async function until<T> (what: string, seconds: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = performance.now() + seconds * 1000
  while (performance.now() < deadline) {
    const value = await probe().catch(() => undefined)
    if (value !== undefined) return value
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`${what}: not within ${seconds} s`)
}

async function status (url: string): Promise<number> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) })
  await res.arrayBuffer()
  return res.status
}

// Skipped only where podman cannot be installed; missing but installable is a failure to fix.
test('the demo image, built on the local base and run as Kubernetes runs it', { skip: engineSkip }, async (t) => {
  if (!engineReady(t)) return
  const orphans = await removeOrphans(OWNER)
  if (orphans.length > 0) t.comment(`removed containers left by killed runs: ${orphans.join(', ')}`)

  const base = await imageScript('base-image.sh')
  t.comment(`base image ${base.ref} ready in ${base.seconds.toFixed(1)} s`)
  const demo = await imageScript('demo-image.sh', ['--version', BUILD.version, '--commit', BUILD.commit,
    '--build-time', BUILD.buildTime, '--tag', TAG])
  t.comment(`demo image ${demo.ref} built in ${demo.seconds.toFixed(1)} s`)
  t.equal(demo.ref, TAG, 'demo-image.sh prints the reference it built')

  const config = JSON.parse(await podman('image', 'inspect', '--format', '{{json .Config}}', TAG))
  t.match(config.User, /^\d+:\d+$/, 'a numeric user, so Kubernetes can verify runAsNonRoot')
  t.not(config.User.split(':')[0], '0', 'not root')

  // A pod-like name: the kubelet sets the host name to the pod's name, and /version reports it.
  const hostname = `zerodown-demo-${randomBytes(4).toString('hex')}`
  const name = `zerodown-image-test-${process.pid}`
  t.teardown(async () => {
    if (!t.passing()) console.error(await podman('logs', name).catch((err: Error) => err.message))
    await removeContainer(name)
  })
  await runContainer(OWNER, name, [
    '--hostname', hostname,
    // readOnlyRootFilesystem with an emptyDir at /tmp, and nothing else writable (podman would add
    // tmpfs at /run and /var/tmp too unless told not to).
    '--read-only', '--read-only-tmpfs=false', '--tmpfs', '/tmp:rw,mode=1777',
    '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges',
    '--publish', '127.0.0.1::8080',
    '--env', 'KUBERNETES_SERVICE_HOST=10.96.0.1',
    '--stop-timeout', String(GRACE_SECONDS),
    TAG
  ])

  const ports = JSON.parse(await podman('inspect', '--format', '{{json .NetworkSettings.Ports}}', name)) as
    Record<string, Array<{ HostIp: string, HostPort: string }> | null>
  const published = Object.entries(ports).flatMap(([port, bindings]) =>
    (bindings ?? []).map((binding) => ({ port, ip: binding.HostIp })))
  t.same(published, [{ port: '8080/tcp', ip: '127.0.0.1' }], 'only the app port, only on 127.0.0.1')
  const origin = `http://127.0.0.1:${ports['8080/tcp']?.[0]?.HostPort}`

  await until('readiness 200 (it needs a writable /tmp)', 60,
    async () => (await status(origin + '/readyz')) === 200 ? true : undefined)

  const pid = await podman('inspect', '--format', '{{.State.Pid}}', name)
  const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean)
  t.same(cmdline, ['node', 'dist/server.js'], 'node itself is PID 1 in the container, never npm or a shell')
  const uids = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^Uid:\s+(.*)$/m)?.[1]?.split(/\s+/)
  t.same(uids, Array(4).fill(config.User.split(':')[0]), 'PID 1 runs as the image\'s numeric user')

  const versionRes = await fetch(origin + '/version')
  t.equal(versionRes.headers.get('x-app-version'), BUILD.version, 'x-app-version on every response')
  t.match(await versionRes.json(), { ...BUILD, name: '@zerodown/demo', node: /^v24\./, instance: hostname },
    '/version reports the build arguments, the base\'s Node.js 24 and the pod name')

  // A client that holds a keep-alive connection from before the signal, as a proxy's pool does.
  const client = new Client(origin)
  t.teardown(() => client.destroy())
  const before = await client.request({ method: 'GET', path: '/' })
  await before.body.dump()
  t.equal(before.headers.connection, 'keep-alive', 'a keep-alive connection before the signal')

  const signalled = performance.now()
  await podman('kill', '--signal', 'SIGTERM', name)
  await until('readiness 503 after SIGTERM', 5,
    async () => (await status(origin + '/readyz')) === 503 ? true : undefined)
  const during = await client.request({ method: 'GET', path: '/' })
  await during.body.dump()
  t.equal(during.statusCode, 200, 'draining still serves requests on open connections')
  t.equal(during.headers.connection, 'close', '…and closes them, so clients reconnect elsewhere')

  const exitCode = await podman('wait', name)
  const seconds = (performance.now() - signalled) / 1000
  t.equal(exitCode, '0', 'exit 0 after the drain')
  t.ok(seconds >= DRAIN_SECONDS - 0.5, `kept serving for the ${DRAIN_SECONDS} s drain (exited after ${seconds.toFixed(1)} s)`)
  t.ok(seconds < GRACE_SECONDS / 2, `exited on its own in ${seconds.toFixed(1)} s, well before the ${GRACE_SECONDS} s grace period`)
})
