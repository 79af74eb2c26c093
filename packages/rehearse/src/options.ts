import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { RehearseInvalidOptionError } from './errors.js'
import { LOAD_DEFAULTS, type LoadOptions } from './load.js'
import { readManifestFile, type DeploymentSpec } from './manifest.js'

export interface RehearseOptions {
  /** Manifest file (multi-document YAML with one Deployment). Default: the demo manifest shipped here. */
  manifest?: string
  /** Or the Deployment already read, e.g. from `parseManifest`. Wins over `manifest`. */
  deployment?: DeploymentSpec
  /** The command that starts one pod, e.g. `['node', 'dist/server.js']`. Default: the demo server. */
  command?: string[]
  /** Working directory of the pods. Default `process.cwd()`. */
  cwd?: string
  /** Version before and after the rollout. Defaults `"1.0.0"` and `"2.0.0"`. */
  oldVersion?: string
  newVersion?: string
  /** Environment variable that carries the version to a pod. Default `APP_VERSION`. */
  versionEnv?: string
  /** Extra environment for every pod, over the manifest's. */
  env?: Record<string, string>
  /** How long endpoint changes take to reach the Service. Default 2000 ms. */
  propagationDelayMs?: number
  /** Load before the rollout starts, once the old pods are available. Default 1000 ms. */
  warmupMs?: number
  /** Load after the last old pod is gone. Default 1000 ms. */
  tailMs?: number
  /** First container restart back-off. Default 10 000 ms, as the kubelet. */
  restartBackoffMs?: number
  load?: LoadOptions
  /** Called about twice a second with the state of the rehearsal. */
  onProgress?: (progress: import('./rehearsal.js').Progress) => void
  /** Aborts the rehearsal: every pod is killed and the result says `aborted`. */
  signal?: AbortSignal
}

export interface ResolvedOptions {
  manifest: string
  deployment: DeploymentSpec
  command: string[]
  cwd: string
  oldVersion: string
  newVersion: string
  versionEnv: string
  env: Record<string, string>
  propagationDelayMs: number
  warmupMs: number
  tailMs: number
  restartBackoffMs: number
  load: Required<LoadOptions>
}

export const DEFAULT_MANIFEST = fileURLToPath(new URL('../manifests/demo.yaml', import.meta.url))
const DEMO_SERVER = fileURLToPath(new URL('../../../apps/demo/dist/server.js', import.meta.url))

export const DEFAULTS = {
  oldVersion: '1.0.0',
  newVersion: '2.0.0',
  versionEnv: 'APP_VERSION',
  propagationDelayMs: 2000,
  warmupMs: 1000,
  tailMs: 1000,
  restartBackoffMs: 10_000
} as const

const describe = (value: unknown): string => typeof value === 'string' ? JSON.stringify(value) : `${typeof value} ${JSON.stringify(value) ?? String(value)}`

function checkMs (name: string, value: unknown): void {
  if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) {
    throw new RehearseInvalidOptionError(name, 'a number of milliseconds >= 0', describe(value))
  }
}

function checkString (name: string, value: unknown, pattern?: RegExp, expected = 'a non-empty string'): void {
  if (value !== undefined && (typeof value !== 'string' || value === '' || (pattern !== undefined && !pattern.test(value)))) {
    throw new RehearseInvalidOptionError(name, expected, describe(value))
  }
}

export function resolveOptions (opts: RehearseOptions): ResolvedOptions {
  if (opts === null || typeof opts !== 'object') throw new RehearseInvalidOptionError('options', 'an object', describe(opts))
  for (const key of ['propagationDelayMs', 'warmupMs', 'tailMs', 'restartBackoffMs'] as const) checkMs(key, opts[key])
  for (const key of ['manifest', 'cwd', 'oldVersion', 'newVersion'] as const) checkString(key, opts[key])
  checkString('versionEnv', opts.versionEnv, /^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name like APP_VERSION')
  if ((opts.oldVersion ?? DEFAULTS.oldVersion) === (opts.newVersion ?? DEFAULTS.newVersion)) {
    throw new RehearseInvalidOptionError('newVersion', 'a version different from oldVersion', describe(opts.newVersion ?? DEFAULTS.newVersion))
  }
  if (opts.command !== undefined && (!Array.isArray(opts.command) || opts.command.length === 0 || !opts.command.every((a) => typeof a === 'string' && a !== ''))) {
    throw new RehearseInvalidOptionError('command', 'a non-empty array of strings like ["node", "server.js"]', describe(opts.command))
  }
  if (opts.env !== undefined && (opts.env === null || typeof opts.env !== 'object' || !Object.values(opts.env).every((v) => typeof v === 'string'))) {
    throw new RehearseInvalidOptionError('env', 'an object of string values', describe(opts.env))
  }
  const load = { ...LOAD_DEFAULTS, ...opts.load }
  if (!(typeof load.rate === 'number' && load.rate > 0 && load.rate <= 10_000)) throw new RehearseInvalidOptionError('load.rate', 'requests per second, from 0 (excluded) to 10000', describe(load.rate))
  if (!(Number.isInteger(load.connections) && load.connections >= 1 && load.connections <= 256)) throw new RehearseInvalidOptionError('load.connections', 'an integer from 1 to 256', describe(load.connections))
  if (!(typeof load.slowShare === 'number' && load.slowShare >= 0 && load.slowShare <= 1)) throw new RehearseInvalidOptionError('load.slowShare', 'a number from 0 to 1', describe(load.slowShare))
  checkMs('load.timeoutMs', load.timeoutMs)
  checkString('load.fastPath', load.fastPath, /^\//, 'a path starting with "/"')
  checkString('load.slowPath', load.slowPath, /^\//, 'a path starting with "/"')

  let command = opts.command
  if (command === undefined) {
    if (!existsSync(DEMO_SERVER)) {
      throw new RehearseInvalidOptionError('command', `the command that starts one pod (the demo server ${DEMO_SERVER} is not built)`, 'none')
    }
    command = [process.execPath, DEMO_SERVER]
  } else if (command[0] === 'node') {
    command = [process.execPath, ...command.slice(1)]
  }

  const manifest = opts.manifest ?? DEFAULT_MANIFEST
  return {
    manifest,
    deployment: opts.deployment ?? readManifestFile(manifest),
    command,
    cwd: opts.cwd ?? process.cwd(),
    oldVersion: opts.oldVersion ?? DEFAULTS.oldVersion,
    newVersion: opts.newVersion ?? DEFAULTS.newVersion,
    versionEnv: opts.versionEnv ?? DEFAULTS.versionEnv,
    env: opts.env ?? {},
    propagationDelayMs: opts.propagationDelayMs ?? DEFAULTS.propagationDelayMs,
    warmupMs: opts.warmupMs ?? DEFAULTS.warmupMs,
    tailMs: opts.tailMs ?? DEFAULTS.tailMs,
    restartBackoffMs: opts.restartBackoffMs ?? DEFAULTS.restartBackoffMs,
    load
  }
}
