// A user's own app with the packages as published: the public packages are packed, installed with
// npm into a project outside the workspace, and an app that is not the demo registers the three
// plugins with no options. Its values are rendered with the installed zerodown-deploy and its
// rollout rehearsed with the installed zerodown-rehearse, under its own requests.
import { execFile } from 'node:child_process'
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { pack, workspacePackages } from '../../scripts/workspace-packs.mjs'

const run = promisify(execFile)
const PUBLIC = ['@zerodown/contract', '@zerodown/shutdown', '@zerodown/probes', '@zerodown/version', '@zerodown/deploy', '@zerodown/rehearse']
const fixture = new URL('../fixtures/orders/', import.meta.url)

const project = mkdtempSync(join(tmpdir(), 'zerodown-e2e-'))
t.teardown(() => rmSync(project, { recursive: true, force: true }))

const bin = (name: string): string => join(project, 'node_modules', '.bin', name)

interface Outcome { code: number, stdout: string, stderr: string }
async function exec (file: string, args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(file, args, { cwd: project, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024, timeout: 150_000 })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code?: number | string, stdout?: string, stderr?: string, killed?: boolean }
    if (typeof e.code !== 'number') throw err
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }
  }
}

interface PodEvent { at: number, pod: string, kind: string }
interface Result {
  ok: boolean
  outcome: string
  totals: { requests: number, failed: number }
  failures: Record<string, number>
  afterRollout: { requests: number, otherVersion: number }
  pods: Array<{ name: string, version: string }>
  podEvents: PodEvent[]
}

const rehearse = (args: string[]): Promise<Outcome> =>
  exec(bin('zerodown-rehearse'), ['--manifest', 'manifest.yaml', '--load', 'load.yaml', ...args, '--', 'node', 'server.mjs'])

t.before(async () => {
  const workspace = workspacePackages()
  const tarballs = pack(new Map(PUBLIC.map((name) => [name, workspace.get(name)!])), project)
  writeFileSync(join(project, 'package.json'), JSON.stringify({
    name: 'orders',
    private: true,
    version: '1.0.0',
    type: 'module',
    dependencies: { ...Object.fromEntries([...tarballs].map(([name, file]) => [name, `file:${file}`])), fastify: '^5.0.0' }
  }, null, 2))
  const installed = await exec('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'])
  if (installed.code !== 0) throw new Error(`npm install failed:\n${installed.stderr}`)
  cpSync(fixture, project, { recursive: true })

  const lint = await exec(bin('zerodown-deploy'), ['lint', 'orders', '-f', 'values.yaml'])
  if (lint.code !== 0) throw new Error(`zerodown-deploy lint refused the fixture's values:\n${lint.stderr}`)
  const rendered = await exec(bin('zerodown-deploy'), ['render', 'orders', '-f', 'values.yaml'])
  if (rendered.code !== 0) throw new Error(`zerodown-deploy render failed:\n${rendered.stderr}`)
  writeFileSync(join(project, 'manifest.yaml'), rendered.stdout)
})

t.test('the app rolls from 1.0.0 to 2.0.0 with every request answered, on the timings the chart gave it', async (t) => {
  const { code, stdout, stderr } = await rehearse(['--json'])
  const result = JSON.parse(stdout) as Result
  t.equal(result.outcome, 'complete', 'the rollout completed (probes answered on the chart\'s port and paths)')
  t.equal(result.totals.failed, 0, `no request failed: ${JSON.stringify(result.failures)}`)
  t.ok(result.totals.requests > 100, `requests were sent (${result.totals.requests})`)
  t.equal(code, 0, `zerodown-rehearse exits 0\n${stderr}`)
  t.ok(result.afterRollout.requests > 0, 'requests were sent after the last old pod was gone')
  t.equal(result.afterRollout.otherVersion, 0, 'all of them were answered by 2.0.0 (the version the chart passed)')

  // The chart's drain (6 s) is longer than the plugin's own Kubernetes default (5 s): each old pod
  // serving that long after SIGTERM shows the plugin took the value from the environment.
  const old = result.pods.filter((pod) => pod.version === '1.0.0')
  t.equal(old.length, 2, 'both old pods were replaced')
  for (const pod of old) {
    const at = (kind: string): number | undefined => result.podEvents.find((e) => e.pod === pod.name && e.kind === kind)?.at
    const sigterm = at('sigterm')
    const exited = at('exited')
    t.ok(sigterm !== undefined && exited !== undefined, `${pod.name} got SIGTERM and exited`)
    t.ok(exited! - sigterm! >= 6000, `${pod.name} drained for ZERODOWN_DRAIN_DELAY_MS (exited ${Math.round(exited! - sigterm!)} ms after SIGTERM)`)
  }
})

t.test('the same app with one route removed fails, naming the path', async (t) => {
  const { code, stdout } = await rehearse(['--env', 'WITHOUT_CATALOG=1'])
  t.equal(code, 1, 'zerodown-rehearse exits 1')
  t.match(stdout, /FAIL/, 'the summary says it failed')
  t.match(stdout, /GET \/catalog[^\n]*404/, 'and names the request that 404ed')
})

t.test('an app that exits at once on SIGTERM fails', async (t) => {
  const { code, stdout } = await rehearse(['--json', '--env', 'EXIT_ON_SIGTERM=1'])
  const result = JSON.parse(stdout) as Result
  t.equal(code, 1, 'zerodown-rehearse exits 1')
  t.equal(result.ok, false, 'the result is not ok')
  t.ok(result.totals.failed > 0, `requests failed: ${JSON.stringify(result.failures)}`)
})
