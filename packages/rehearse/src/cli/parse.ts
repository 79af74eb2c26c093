// The command line, parsed with node:util's parseArgs from the flag table, into rehearse options.
import { fileURLToPath } from 'node:url'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { readLoadFile } from '../load/load-file.js'
import type { LoadOptions } from '../load/requests.js'
import { SCENARIOS, type RehearseOptions, type Scenario } from '../options.js'
import type { EngineName } from '../runtime/run-args.js'
import type { SweepOptions } from '../sweep.js'
import { PROXIES, type ProxyKind } from '../traffic/proxy.js'
import { FLAGS } from './flags.js'

export class UsageError extends Error {}

export interface ParsedArgs {
  options: RehearseOptions
  /** --values files, rendered before the rehearsal (with --release and --kube-version). */
  values: string[]
  release?: string
  json: boolean
  report?: string
  compare: boolean
  sweep?: SweepOptions
  help: boolean
}

/** The naive baseline app shipped with the package, a program of its own (dist/baseline.js). */
export const BASELINE = fileURLToPath(new URL('../baseline.js', import.meta.url))

type Values = Record<string, string | boolean | string[] | undefined>

const CONFIG: ParseArgsConfig['options'] = Object.fromEntries(FLAGS.map((f) => [f.name, {
  type: f.type === 'boolean' ? 'boolean' : 'string',
  ...(f.short !== undefined && { short: f.short }),
  ...(f.multiple === true && { multiple: true })
}]))

export function parse (argv: string[]): ParsedArgs {
  let values: Values
  let positionals: string[]
  try {
    ({ values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: CONFIG }) as { values: Values, positionals: string[] })
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
  const help = values.help === true
  if (help) return { options: {}, values: [], json: false, compare: false, help }
  const str = (name: string): string | undefined => values[name] as string | undefined
  const list = (name: string): string[] | undefined => values[name] as string[] | undefined
  const num = (name: string): number | undefined => {
    const value = str(name)
    if (value === undefined) return undefined
    const n = Number(value)
    if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} expects a number, got ${JSON.stringify(value)}`)
    return n
  }
  const flag = (name: string): boolean => values[name] === true

  const env = envPairs(list('env') ?? [])
  checkCombinations(values, positionals)
  const options: RehearseOptions = {}
  const images = containerOptions(str, options)
  const cluster = clusterOptions(str, flag, options)
  if (cluster && (flag('compare') || flag('baseline'))) throw new UsageError('--cluster rehearses the manifest\'s image on the cluster: it cannot be used with --compare or --baseline')
  if (images && flag('compare')) throw new UsageError('--compare rehearses the naive baseline as a process: it cannot be used with --image/--old-image/--new-image')
  if (images && (positionals.length > 0 || flag('baseline'))) throw new UsageError('--image/--old-image/--new-image and a command (or --baseline) cannot be used together: the image and the manifest start each pod')
  if (!images && !cluster && !flag('baseline') && positionals.length === 0) throw new UsageError('a command that starts one pod is required, after --, e.g. zerodown-rehearse --manifest app.yaml -- node dist/server.js')

  const load = loadOptions(str, num, flag)
  if (load.longLived !== undefined && flag('compare')) throw new UsageError('--compare cannot rehearse the long-lived clients of the load file: the naive baseline serves no WebSocket or event stream')
  const proxy = str('proxy')
  if (proxy !== undefined && !(PROXIES as readonly string[]).includes(proxy)) throw new UsageError(`--proxy expects one of ${PROXIES.join(', ')}, got ${JSON.stringify(proxy)}`)
  if (!images && !cluster) options.command = flag('baseline') ? [process.execPath, BASELINE] : positionals
  options.load = load
  if (Object.keys(env).length > 0) options.env = env
  const put = <K extends keyof RehearseOptions>(key: K, value: RehearseOptions[K] | undefined): void => { if (value !== undefined) options[key] = value }
  put('passEnv', list('pass-env'))
  put('manifest', str('manifest'))
  put('oldVersion', str('old-version'))
  put('newVersion', str('new-version'))
  put('versionEnv', str('version-env'))
  put('cwd', str('cwd'))
  put('propagationDelayMs', num('propagation-delay-ms'))
  put('warmupMs', num('warmup-ms'))
  put('tailMs', num('tail-ms'))
  put('restartBackoffMs', num('restart-backoff-ms'))
  put('scenario', str('scenario') as Scenario | undefined)
  put('kubeVersion', str('kube-version'))
  put('addDelayMs', num('add-delay-ms'))
  put('removeDelayMs', num('remove-delay-ms'))
  put('proxy', str('proxy') as ProxyKind | undefined)
  if (flag('no-pid-namespace')) options.pidNamespace = false
  if (flag('allow-unclean-exits')) options.allowUncleanExits = true
  const sweep = sweepOptions(num, flag)
  if (sweep !== undefined && flag('compare')) throw new UsageError('--sweep and --compare cannot be used together')
  const release = str('release')
  return {
    options,
    values: list('values') ?? [],
    ...(release !== undefined && { release }),
    json: flag('json'),
    ...(str('report') !== undefined && { report: str('report')! }),
    compare: flag('compare'),
    ...(sweep !== undefined && { sweep }),
    help
  }
}

/** Flags that cannot go together, and values the table cannot check by type. */
function checkCombinations (values: Values, positionals: string[]): void {
  if (values.values !== undefined && values.manifest !== undefined) throw new UsageError('--manifest and --values cannot be used together')
  if (values.release !== undefined && values.values === undefined) throw new UsageError('--release names the release --values are rendered for: it needs --values')
  if (values.baseline === true && positionals.length > 0) throw new UsageError('--baseline and a command cannot be used together')
  if (values.load !== undefined && (values['fast-path'] !== undefined || values['slow-path'] !== undefined || values['slow-share'] !== undefined)) {
    throw new UsageError('--load and --fast-path/--slow-path/--slow-share cannot be used together: put every request in the load file')
  }
  const scenario = values.scenario as string | undefined
  if (scenario !== undefined && !(SCENARIOS as readonly string[]).includes(scenario)) throw new UsageError(`--scenario expects one of ${SCENARIOS.join(', ')}, got ${JSON.stringify(scenario)}`)
  const report = values.report as string | undefined
  if (report !== undefined && !report.endsWith('.html')) throw new UsageError(`--report expects a FILE.html, got ${JSON.stringify(report)}`)
}

function envPairs (pairs: string[]): Record<string, string> {
  const env: Record<string, string> = {}
  for (const pair of pairs) {
    const eq = pair.indexOf('=')
    if (eq <= 0) throw new UsageError(`--env expects KEY=VALUE, got ${JSON.stringify(pair)}`)
    env[pair.slice(0, eq)] = pair.slice(eq + 1)
  }
  return env
}

/** True when an image is given; sets the options. The runtime's value is checked with the options. */
function containerOptions (str: (name: string) => string | undefined, options: RehearseOptions): boolean {
  const image = str('image')
  const oldImage = str('old-image')
  const newImage = str('new-image')
  const runtime = str('runtime')
  if (image !== undefined) options.image = image
  if (oldImage !== undefined) options.oldImage = oldImage
  if (newImage !== undefined) options.newImage = newImage
  if (runtime !== undefined) options.runtime = runtime as EngineName
  return image !== undefined || oldImage !== undefined || newImage !== undefined
}

/** True with --cluster; sets where the cluster is. The others need it. */
function clusterOptions (str: (name: string) => string | undefined, flag: (name: string) => boolean, options: RehearseOptions): boolean {
  const target = Object.fromEntries((['kubeconfig', 'context', 'namespace', 'url'] as const).flatMap((key) => str(key) === undefined ? [] : [[key, str(key)!]]))
  if (!flag('cluster')) {
    const [first] = Object.keys(target)
    if (first !== undefined) throw new UsageError(`--${first} needs --cluster`)
    return false
  }
  options.cluster = target
  return true
}

function loadOptions (str: (name: string) => string | undefined, num: (name: string) => number | undefined, flag: (name: string) => boolean): LoadOptions {
  const load: LoadOptions = {}
  const set = <K extends keyof LoadOptions>(key: K, value: LoadOptions[K] | undefined): void => { if (value !== undefined) load[key] = value }
  set('rate', num('rate'))
  set('connections', num('connections'))
  set('newConnectionClients', num('new-connection-clients'))
  set('slowShare', num('slow-share'))
  set('timeoutMs', num('timeout-ms'))
  set('fastPath', str('fast-path'))
  set('slowPath', str('slow-path'))
  set('retries', num('client-retries'))
  if (flag('open-loop')) load.model = 'open'
  const burst = num('burst-ms')
  if (burst !== undefined && load.model !== 'open') throw new UsageError('--burst-ms needs --open-loop')
  set('burstMs', burst)
  const file = str('load')
  if (file !== undefined) {
    const read = readLoadFile(file)
    load.requests = read.requests
    if (read.longLived !== undefined) load.longLived = read.longLived
  }
  return load
}

function sweepOptions (num: (name: string) => number | undefined, flag: (name: string) => boolean): SweepOptions | undefined {
  const stepMs = num('sweep-step-ms')
  const maxRuns = num('sweep-runs')
  if (!flag('sweep')) {
    if (stepMs !== undefined || maxRuns !== undefined) throw new UsageError('--sweep-step-ms and --sweep-runs need --sweep')
    return undefined
  }
  return { ...(stepMs !== undefined && { stepMs }), ...(maxRuns !== undefined && { maxRuns }) }
}
