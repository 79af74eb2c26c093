// zerodown-rehearse in container mode, on the demo's real images: a rollout from a 1.0.0 image to a
// 2.0.0 image with the chart's rehearsal values passes; the same rollout from an image whose CMD is a
// shell form (the shell stays PID 1 and never forwards SIGTERM) fails, and the report says why; an
// interrupted run leaves no container behind. Needs podman as root, as image.test.ts.
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test } from 'tap'
import { engineReady, engineSkip } from './engine.js'
import { imageScript, podman, scriptsDir } from './podman.js'

const require = createRequire(import.meta.url)
const CLI = join(require.resolve('@zerodown/rehearse/package.json'), '..', 'dist', 'cli.js')
const VALUES = fileURLToPath(new URL('../../../deploy/examples/rehearsal.yaml', import.meta.url))
const REPO = 'localhost/zerodown-rehearse-demo'
/** The chart's rehearsal values give a 15 s grace period. */
const GRACE_SECONDS = 15

interface Run { code: number | null, stdout: string, stderr: string, seconds: number }

/** Runs the CLI with the project's containers configuration, as a user's environment would set it. */
function rehearse (args: string[], onStart?: (pid: number) => void): Promise<Run> {
  const started = performance.now()
  const child = spawn(process.execPath, [CLI, '--values', VALUES, '--runtime', 'podman', '--slow-path', '/work?ms=300', ...args], {
    env: { ...process.env, CONTAINERS_CONF: join(scriptsDir, 'containers.conf') },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c: Buffer) => { stdout += c.toString() })
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString() })
  onStart?.(child.pid!)
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr, seconds: (performance.now() - started) / 1000 })))
}

/** Containers of the runs of the CLI process `pid` (their label value starts with it). */
async function containersOf (pid: number): Promise<string[]> {
  const listed = await podman('ps', '--all', '--filter', 'label=zerodown.rehearse', '--format', '{{.Names}} {{index .Labels "zerodown.rehearse"}}')
  return listed.split('\n').filter((line) => line.split(' ')[1]?.startsWith(`${pid}-`))
}

test('container rehearsals of the demo image', { skip: engineSkip }, async (t) => {
  if (!engineReady(t)) return
  const images: Record<string, string> = {}
  for (const version of ['1.0.0', '2.0.0']) {
    const built = await imageScript('demo-image.sh', ['--version', version, '--commit', version.replaceAll('.', '').padEnd(40, '0'), '--tag', `${REPO}:${version}`])
    t.comment(`demo image ${built.ref} built in ${built.seconds.toFixed(1)} s`)
    images[version] = built.ref
  }
  // The same app as 1.0.0, started by a shell form: `sh -c 'node dist/server.js; true'` keeps the shell
  // as PID 1 (it cannot exec node, a command follows), and a shell as PID 1 ignores SIGTERM.
  const context = mkdtempSync(join(tmpdir(), 'zerodown-shell-image-'))
  t.teardown(() => rmSync(context, { recursive: true, force: true }))
  writeFileSync(join(context, 'Containerfile'), `FROM ${images['1.0.0']}\nCMD node dist/server.js; true\n`)
  const shellRef = 'localhost/zerodown-rehearse-shell-form:1.0.0'
  const shellStarted = performance.now()
  await podman('build', '--network', 'none', '--tag', shellRef, context)
  t.comment(`shell-form image built in ${((performance.now() - shellStarted) / 1000).toFixed(1)} s`)

  await t.test('an image not on this machine: a coded error, exit 2, nothing pulled', async (t) => {
    const run = await rehearse(['--image', 'localhost/zerodown-no-such-image:1'])
    t.equal(run.code, 2)
    t.match(run.stderr, /Cannot rehearse the image localhost\/zerodown-no-such-image:1: podman image inspect found no such image on this machine/)
  })

  await t.test('1.0.0 -> 2.0.0 with the rehearsal values: every request served, then all by 2.0.0', async (t) => {
    let pid = 0
    const run = await rehearse(['--old-image', images['1.0.0']!, '--new-image', images['2.0.0']!, '--json'], (p) => { pid = p })
    t.comment(`container rehearsal took ${run.seconds.toFixed(1)} s`)
    t.equal(run.code, 0, `exit 0\n${run.stderr}`)
    const r = JSON.parse(run.stdout)
    t.match(r, { ok: true, outcome: 'complete', pid1: 'container', totals: { failed: 0 }, killedAtGrace: [], containers: { engine: 'podman', oldImage: images['1.0.0'], newImage: images['2.0.0'] } })
    t.ok(r.totals.requests > 500, `under load (${r.totals.requests} requests)`)
    t.ok(r.afterRollout.requests > 0, `requests after the rollout (${r.afterRollout.requests})`)
    t.equal(r.afterRollout.otherVersion, 0, 'every request after the rollout served by 2.0.0')
    t.ok(r.inFlightAtSigterm.total > 0, `requests in flight at SIGTERM (${r.inFlightAtSigterm.total}): the drain was exercised`)
    t.same(await containersOf(pid), [], 'no container of the run is left')
  })

  await t.test('from an image whose CMD is a shell form: SIGKILL at the grace period, the run fails and says why', async (t) => {
    const run = await rehearse(['--old-image', shellRef, '--new-image', images['2.0.0']!])
    t.comment(`container rehearsal took ${run.seconds.toFixed(1)} s`)
    t.equal(run.code, 1, 'exit 1')
    t.match(run.stdout, new RegExp(`\\nkilled: pod \\S+ \\(1\\.0\\.0\\) did not exit on SIGTERM: killed with SIGKILL at the end of the ${GRACE_SECONDS} s grace period; its app never received SIGTERM`))
    t.equal(run.stdout.match(/\nkilled: /g)?.length, 3, 'each of the 3 old pods')
    t.match(run.stdout, /\nFAIL: /)
  })

  await t.test('interrupted mid-rollout with SIGINT: no container left', async (t) => {
    let pid = 0
    let interrupted = false
    const running = rehearse(['--old-image', images['1.0.0']!, '--new-image', images['2.0.0']!], (p) => { pid = p })
    // The rollout has begun once a fourth container (the surge) exists.
    const deadline = performance.now() + 90_000
    while (performance.now() < deadline && !interrupted) {
      if ((await containersOf(pid)).length >= 4) {
        process.kill(pid, 'SIGINT')
        interrupted = true
      }
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
    const run = await running
    t.ok(interrupted, 'the rollout began and the CLI got SIGINT')
    t.equal(run.code, 130, `exit 130\n${run.stderr.slice(-2000)}`)
    t.same(await containersOf(pid), [], 'no container of the run is left')
  })
})
