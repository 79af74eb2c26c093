#!/usr/bin/env node
// zerodown-rehearse: rehearses a Kubernetes rolling update of an app on this machine, under load,
// and exits 0 only when the rollout completed and no request failed.
import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { RehearseCommandError, RehearseImageError, RehearseInvalidOptionError, RehearseLoadFileError, RehearseManifestError, RehearseProxyError, RehearseRuntimeError } from './errors.js'
import { TRAFFIC_ARGS, TRAFFIC_USAGE, trafficOptions } from './cli-traffic.js'
import { CONTAINER_ARGS, CONTAINER_USAGE, containerOptions } from './cli-container.js'
import { sweep, type SweepOptions } from './sweep.js'
import { formatSummary } from './format.js'
import { DEFAULTS, SCENARIOS, type Scenario } from './options.js'
import { LOAD_DEFAULTS, type LoadOptions } from './load.js'
import { CALLER_ENV } from './pod-env.js'
import { createProgressPrinter } from './progress.js'
import { rehearse } from './rehearsal.js'
import type { Progress } from './progress.js'
import { readLoadFile } from './requests.js'
import { deploymentFromValues } from './values.js'
import { startWatchdog } from './watchdog.js'
import { renderHtmlReport } from './report-html.js'
import type { RehearsalResult } from './summary.js'
import type { RehearseOptions } from './options.js'

const USAGE = `Usage: zerodown-rehearse [options] -- command to start one pod...
       zerodown-rehearse --values values.yaml --load load.yaml -- node dist/server.js
       zerodown-rehearse --values values.yaml --old-image app:1.0.0 --new-image app:2.0.0

Rehearses a Kubernetes rolling update on this machine: real processes of the app, real signals,
keep-alive load through a local Service, every request counted. Exit 0 only when the rollout
completed and no request failed; 1 when it failed or got stuck; 2 on bad input; 130 when interrupted.

Rollout
  --manifest FILE            rendered manifests (multi-document YAML) holding one Deployment
                             (default: the demo manifest shipped with the package)
  --values FILE              or a values file of the deploy chart, rendered with @zerodown/deploy
                             (repeatable, later files win)
  --old-version V            version before the rollout (default ${DEFAULTS.oldVersion})
  --new-version V            version after it (default ${DEFAULTS.newVersion})
  --version-env NAME         environment variable carrying the version (default ${DEFAULTS.versionEnv})
  --env KEY=VALUE            extra environment for every pod (repeatable)
  --pass-env NAME            pass this variable of your environment to every pod (repeatable)
  --cwd DIR                  working directory of the pods
  --baseline                 rehearse the naive baseline app shipped with the package (no command)
  --propagation-delay-ms N   how long endpoint changes take to reach the Service (default: the
                             Deployment's zerodown.dev/propagation-seconds annotation, else ${DEFAULTS.propagationDelayMs})
  --warmup-ms N              load before the rollout starts (default ${DEFAULTS.warmupMs})
  --tail-ms N                load after the last old pod is gone (default ${DEFAULTS.tailMs})
  --restart-backoff-ms N     first container restart back-off (default ${DEFAULTS.restartBackoffMs})
Scenario and container
  --scenario NAME            ${SCENARIOS.join(' | ')} (default rolling-update):
                             node-drain evicts every pod through the PodDisruptionBudget (no surge),
                             rollback undoes the update half way, restart is kubectl rollout restart
  --no-pid-namespace         run the app as a plain process, not as PID 1 of a PID namespace
  --kube-version V           rehearse this Kubernetes (e.g. 1.20): kube-proxy's fallback to terminating
                             endpoints (1.26), the preStop sleep action (1.30); --values render for it
                             (default: the current Kubernetes)
${CONTAINER_USAGE}Load
  --rate N                   requests per second (default ${LOAD_DEFAULTS.rate})
  --connections N            keep-alive connections (default ${LOAD_DEFAULTS.connections})
  --new-connection-clients N more clients that open a new connection for every request, sharing
                             the rate (closed loop; default ${LOAD_DEFAULTS.newConnectionClients})
  --load FILE                the app's requests, YAML or JSON:
                             requests: [{ method, path, headers?, body?, weight?, expect? }]
                             and long-lived clients, WebSocket or server-sent events:
                             longLived: [{ kind: websocket | sse, path, clients?, messageWithinMs? }]
  --fast-path PATH           or a GET request (default ${LOAD_DEFAULTS.fastPath})
  --slow-path PATH           and a slower GET request (no default), e.g. one that takes 300 ms
  --slow-share F             share of slow requests, 0 to 1 (default ${LOAD_DEFAULTS.slowShare})
  --timeout-ms N             a request taking longer is a timeout (default ${LOAD_DEFAULTS.timeoutMs})
${TRAFFIC_USAGE}Output
  --json                     print the result as JSON (shape in the README) instead of the summary
  --report FILE.html         write a self-contained HTML report with charts
  --compare                  rehearse the app, then the baseline, and print their failures side by side
  -h, --help                 this help

The command is required ("node" means the running Node.js). Each pod gets the environment a kubelet
gives: the manifest's env and envFrom, KUBERNETES_SERVICE_HOST=127.0.0.1, KUBERNETES_SERVICE_PORT=443,
HOSTNAME (the pod name); of yours only ${CALLER_ENV.join(', ')}, LC_* and --pass-env; then
--env, the version, PORT (a free loopback port) and HOST=127.0.0.1.
`

class UsageError extends Error {}

function parse (argv: string[]): { options: RehearseOptions, values: string[], json: boolean, report?: string, compare: boolean, sweep?: SweepOptions } {
  let values
  let positionals: string[]
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        manifest: { type: 'string' },
        values: { type: 'string', multiple: true },
        'old-version': { type: 'string' },
        'new-version': { type: 'string' },
        'version-env': { type: 'string' },
        env: { type: 'string', multiple: true },
        'pass-env': { type: 'string', multiple: true },
        cwd: { type: 'string' },
        baseline: { type: 'boolean' },
        'propagation-delay-ms': { type: 'string' },
        'warmup-ms': { type: 'string' },
        'tail-ms': { type: 'string' },
        'restart-backoff-ms': { type: 'string' },
        scenario: { type: 'string' },
        'no-pid-namespace': { type: 'boolean' },
        'kube-version': { type: 'string' },
        rate: { type: 'string' },
        connections: { type: 'string' },
        'new-connection-clients': { type: 'string' },
        load: { type: 'string' },
        'fast-path': { type: 'string' },
        'slow-path': { type: 'string' },
        'slow-share': { type: 'string' },
        'timeout-ms': { type: 'string' },
        json: { type: 'boolean' },
        report: { type: 'string' },
        compare: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        ...TRAFFIC_ARGS,
        ...CONTAINER_ARGS
      }
    }))
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
  if (values.help === true) {
    process.stdout.write(USAGE)
    process.exit(0)
  }
  const number = (flag: string, value: string | undefined): number | undefined => {
    if (value === undefined) return undefined
    const n = Number(value)
    if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${flag} expects a number, got ${JSON.stringify(value)}`)
    return n
  }
  const env: Record<string, string> = {}
  for (const pair of values.env ?? []) {
    const eq = pair.indexOf('=')
    if (eq <= 0) throw new UsageError(`--env expects KEY=VALUE, got ${JSON.stringify(pair)}`)
    env[pair.slice(0, eq)] = pair.slice(eq + 1)
  }
  if (values.values !== undefined && values.manifest !== undefined) throw new UsageError('--manifest and --values cannot be used together')
  if (values.baseline === true && positionals.length > 0) throw new UsageError('--baseline and a command cannot be used together')
  const options: RehearseOptions = {}
  const images = containerOptions(values, options)
  if (images && values.compare === true) throw new UsageError('--compare rehearses the naive baseline as a process: it cannot be used with --image/--old-image/--new-image')
  if (images && (positionals.length > 0 || values.baseline === true)) throw new UsageError('--image/--old-image/--new-image and a command (or --baseline) cannot be used together: the image and the manifest start each pod')
  if (!images && values.baseline !== true && positionals.length === 0) throw new UsageError('a command that starts one pod is required, after --, e.g. zerodown-rehearse --manifest app.yaml -- node dist/server.js')
  if (values.load !== undefined && (values['fast-path'] !== undefined || values['slow-path'] !== undefined || values['slow-share'] !== undefined)) {
    throw new UsageError('--load and --fast-path/--slow-path/--slow-share cannot be used together: put every request in the load file')
  }
  if (values.scenario !== undefined && !(SCENARIOS as readonly string[]).includes(values.scenario)) throw new UsageError(`--scenario expects one of ${SCENARIOS.join(', ')}, got ${JSON.stringify(values.scenario)}`)
  if (values.report !== undefined && !values.report.endsWith('.html')) throw new UsageError(`--report expects a FILE.html, got ${JSON.stringify(values.report)}`)

  const load: LoadOptions = {}
  const set = <K extends keyof LoadOptions>(key: K, value: LoadOptions[K] | undefined): void => { if (value !== undefined) load[key] = value }
  set('rate', number('rate', values.rate))
  set('connections', number('connections', values.connections))
  set('newConnectionClients', number('new-connection-clients', values['new-connection-clients']))
  set('slowShare', number('slow-share', values['slow-share']))
  set('timeoutMs', number('timeout-ms', values['timeout-ms']))
  set('fastPath', values['fast-path'])
  set('slowPath', values['slow-path'])
  if (values.load !== undefined) {
    const file = readLoadFile(values.load)
    load.requests = file.requests
    if (file.longLived !== undefined) load.longLived = file.longLived
    if (file.longLived !== undefined && values.compare === true) throw new UsageError('--compare cannot rehearse the long-lived clients of the load file: the naive baseline serves no WebSocket or event stream')
  }

  if (!images) options.command = values.baseline === true ? [process.execPath, BASELINE] : positionals
  Object.assign(options, { load, ...(Object.keys(env).length > 0 && { env }), ...(values['pass-env'] !== undefined && { passEnv: values['pass-env'] }) })
  const put = <K extends keyof RehearseOptions>(key: K, value: RehearseOptions[K] | undefined): void => { if (value !== undefined) options[key] = value }
  put('manifest', values.manifest)
  put('oldVersion', values['old-version'])
  put('newVersion', values['new-version'])
  put('versionEnv', values['version-env'])
  put('cwd', values.cwd)
  put('propagationDelayMs', number('propagation-delay-ms', values['propagation-delay-ms']))
  put('warmupMs', number('warmup-ms', values['warmup-ms']))
  put('tailMs', number('tail-ms', values['tail-ms']))
  put('restartBackoffMs', number('restart-backoff-ms', values['restart-backoff-ms']))
  put('scenario', values.scenario as Scenario | undefined)
  put('kubeVersion', values['kube-version'])
  if (values['no-pid-namespace'] === true) options.pidNamespace = false
  const sweeping = trafficOptions(values, number, options, load, (message) => new UsageError(message))
  if (sweeping !== undefined && values.compare === true) throw new UsageError('--sweep and --compare cannot be used together')
  return { options, values: values.values ?? [], json: values.json === true, ...(values.report !== undefined && { report: values.report }), compare: values.compare === true, ...(sweeping !== undefined && { sweep: sweeping }) }
}

const BASELINE = fileURLToPath(new URL('./baseline.js', import.meta.url))

function sideBySide (app: RehearsalResult, baseline: RehearsalResult): string {
  const row = (label: string, a: string | number, b: string | number): string => `${label.padEnd(22)}${String(a).padEnd(16)}${b}\n`
  return '\n' + row('', 'app', 'naive baseline') +
    row('rollout', app.outcome, baseline.outcome) +
    row('requests', app.totals.requests, baseline.totals.requests) +
    row('failed', app.totals.failed, baseline.totals.failed) +
    (['status', 'reset', 'refused', 'timeout'] as const).map((k) => row(`  ${k}`, app.failures[k], baseline.failures[k])).join('') +
    row('rollout duration', `${((app.rollout.durationMs ?? 0) / 1000).toFixed(1)} s`, `${((baseline.rollout.durationMs ?? 0) / 1000).toFixed(1)} s`)
}

interface Comparison {
  /** pass: the app is clean and the baseline failed under the same rollout and load. */
  verdict: 'pass' | 'fail' | 'inconclusive'
  reason: string
}

function compare (app: RehearsalResult, baseline: RehearsalResult): Comparison {
  // A baseline that never rolled out under load shows nothing about the app: no win can be claimed.
  if (baseline.outcome !== 'complete' || baseline.totals.requests === 0) {
    const why = baseline.outcome !== 'complete' ? `its rollout is ${baseline.outcome}${baseline.stuck !== undefined ? ` (${baseline.stuck.reason})` : ''}` : 'it got no requests'
    return { verdict: 'inconclusive', reason: `the naive baseline could not be rehearsed: ${why}` }
  }
  if (!app.ok) return { verdict: 'fail', reason: 'the app itself failed its rehearsal' }
  if (baseline.ok) return { verdict: 'fail', reason: 'the naive baseline passed too: this rehearsal cannot tell a draining app from one that is not (try slower requests)' }
  return { verdict: 'pass', reason: `the app lost none of ${app.totals.requests} requests; the naive baseline lost ${baseline.totals.failed} of ${baseline.totals.requests}` }
}

async function main (): Promise<number> {
  let parsed
  try {
    parsed = parse(process.argv.slice(2))
  } catch (err) {
    if (err instanceof RehearseLoadFileError) {
      process.stderr.write(`zerodown-rehearse: ${(err as Error).message}\n`)
      return 2
    }
    if (!(err instanceof UsageError)) throw err
    process.stderr.write(`zerodown-rehearse: ${err.message}\n\n${USAGE}`)
    return 2
  }
  const controller = new AbortController()
  let signals = 0
  const onSignal = (): void => {
    // The first Ctrl+C stops the rehearsal cleanly; a second one exits at once (children die with it).
    if (++signals > 1) process.exit(130)
    process.stderr.write('\nzerodown-rehearse: interrupted, stopping every pod...\n')
    controller.abort()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)

  const live = !parsed.json && process.stderr.isTTY === true
  const watchdog = startWatchdog()
  const run = (options: RehearseOptions, sweeping?: SweepOptions): Promise<RehearsalResult> => {
    const all = {
      ...options,
      signal: controller.signal,
      onPodProcess: watchdog.onPodProcess,
      ...(live && { onProgress: createProgressPrinter(process.stderr) as (p: Progress) => void })
    }
    return sweeping === undefined ? rehearse(all) : sweep(all, sweeping)
  }

  // The run's containers carry this label value: the watchdog removes them should the CLI die first.
  const images = parsed.options.image !== undefined || parsed.options.oldImage !== undefined || parsed.options.newImage !== undefined
  if (images) {
    parsed.options.runId = `${process.pid}-${randomBytes(4).toString('hex')}`
    watchdog.onContainerRun(parsed.options.runId, true)
  }
  try {
    if (parsed.values.length > 0) parsed.options.deployment = await deploymentFromValues(parsed.values, parsed.options.kubeVersion)
    const result = await run(parsed.options, parsed.sweep)
    if (images) watchdog.onContainerRun(parsed.options.runId!, false)
    if (controller.signal.aborted) {
      process.stderr.write(formatSummary(result))
      return 130
    }
    if (parsed.report !== undefined) writeFileSync(parsed.report, renderHtmlReport(result))
    if (!parsed.compare) {
      process.stdout.write(parsed.json ? JSON.stringify(result, null, 2) + '\n' : formatSummary(result))
      if (parsed.report !== undefined && !parsed.json) process.stdout.write(`report: ${parsed.report}\n`)
      return result.ok ? 0 : 1
    }
    // The baseline answers the same requests with the status and median latency the app showed.
    const answers = Object.fromEntries(result.byRequest.filter((q) => q.latencyP50Ms !== undefined)
      .map((q) => [`${q.method} ${q.path}`, { status: q.okStatus, ms: q.latencyP50Ms }]))
    const env = { ...parsed.options.env, ZERODOWN_BASELINE_ANSWERS: JSON.stringify(answers) }
    const baseline = await run({ ...parsed.options, env, command: [process.execPath, BASELINE] })
    if (controller.signal.aborted) return 130
    const comparison = compare(result, baseline)
    if (parsed.json) {
      process.stdout.write(JSON.stringify({ app: result, baseline, comparison }, null, 2) + '\n')
    } else {
      process.stdout.write(`== app\n${formatSummary(result)}\n== naive baseline\n${formatSummary(baseline)}${sideBySide(result, baseline)}\n` +
        `${comparison.verdict.toUpperCase()}: ${comparison.reason}\n`)
    }
    return comparison.verdict === 'pass' ? 0 : 1
  } catch (err) {
    if (err instanceof RehearseInvalidOptionError || err instanceof RehearseManifestError || err instanceof RehearseCommandError || err instanceof RehearseProxyError ||
      err instanceof RehearseRuntimeError || err instanceof RehearseImageError) {
      process.stderr.write(`zerodown-rehearse: ${(err as Error).message}\n`)
      return 2
    }
    throw err
  }
}

main().then((code) => { process.exitCode = code }, (err: unknown) => {
  process.stderr.write(`zerodown-rehearse: ${err instanceof Error ? err.stack : String(err)}\n`)
  process.exitCode = 1
})
