import { fileURLToPath } from 'node:url'
import { SETTINGS } from '@zerodown/contract'
import { formatKubeVersion, parseKubeVersion, supports, type KubeVersion } from '@zerodown/deploy/kube-version'
import type { ClusterTarget } from './kubernetes/client.js'
import { resolveCluster, type ResolvedCluster } from './kubernetes/options.js'
import { resolveContainers, type ContainerOptions, type ResolvedContainers } from './runtime/container-options.js'
import { RehearseInvalidOptionError } from './errors.js'
import { LOAD_DEFAULTS, type LoadOptions, type ResolvedLoad } from './load/requests.js'
import { readManifestFile, type DeploymentSpec } from './manifest/manifest.js'
import { PROXIES, type ProxyKind } from './traffic/proxy.js'
import type { Progress } from './report/progress.js'
import { resolveLongLived } from './load/long-lived.js'
import { describe, resolveRequests, shorthandRequests } from './load/load-file.js'

export interface RehearseOptions extends ContainerOptions {
  /** Manifest file (multi-document YAML with one Deployment). Default: the demo manifest shipped here. */
  manifest?: string
  /** Or the Deployment already read, e.g. from `parseManifest`. Wins over `manifest`. */
  deployment?: DeploymentSpec
  /** The command that starts one pod, e.g. `['node', 'dist/server.js']` (`node` is the running Node.js). Required unless an image is given. */
  command?: string[]
  /** Working directory of the pods. Default `process.cwd()`. */
  cwd?: string
  /** Version before and after the rollout. Defaults `"1.0.0"` and `"2.0.0"`. */
  oldVersion?: string
  newVersion?: string
  /** Environment variable that carries the version to a pod. Default `ZERODOWN_APP_VERSION`. */
  versionEnv?: string
  /** Extra environment for every pod, over the manifest's. */
  env?: Record<string, string>
  /** Names of the caller's environment variables to pass to every pod, besides the start-up allow-list. */
  passEnv?: string[]
  /**
   * How long endpoint changes take to reach the Service. Default: the Deployment's
   * `zerodown.dev/propagation-seconds` annotation × 1000, else 2000 ms.
   */
  propagationDelayMs?: number
  /** Traffic path: how long a new ready endpoint takes to reach the proxy. Default: propagationDelayMs. */
  addDelayMs?: number
  /** Traffic path: how long a deleted or unready endpoint takes to leave the proxy. Default: propagationDelayMs. */
  removeDelayMs?: number
  /** Traffic path: `kube-proxy` (L4, the default), `ingress` (an L7 model) or `nginx` (a real nginx on PATH). */
  proxy?: ProxyKind
  /** Load before the rollout starts, once the old pods are available. Default 1000 ms. */
  warmupMs?: number
  /** Load after the last old pod is gone. Default 1000 ms. */
  tailMs?: number
  /** First container restart back-off. Default 10 000 ms, as the kubelet. */
  restartBackoffMs?: number
  load?: LoadOptions
  /** What is rehearsed; default `rolling-update`. See SCENARIOS. */
  scenario?: Scenario
  /**
   * The Kubernetes version whose behaviour is rehearsed, like `1.20` or `v1.29.4`: before 1.26 kube-proxy
   * does not fall back to terminating endpoints, and a preStop `sleep` action needs 1.30. Default: the
   * current Kubernetes.
   */
  kubeVersion?: string
  /** Run each container as PID 1 of a PID namespace where this machine allows it (R10). Default true. */
  pidNamespace?: boolean
  /**
   * Pass even when a pod that had to go ended uncleanly: exited non-zero, at its own shutdown deadline,
   * before its drain ended, or on a signal it does not handle. They are still reported. Default false.
   */
  allowUncleanExits?: boolean
  /** Told each process group a pod starts (`alive`) and as it ends, e.g. to kill them should the caller die. */
  onPodProcess?: (pid: number, alive: boolean) => void
  /** Called about twice a second with the state of the rehearsal. */
  onProgress?: (progress: Progress) => void
  /**
   * Rehearse on a real cluster instead of this machine's model: the manifest's objects are applied
   * into a namespace, rolled out under the same load, and deleted after (see the README, --cluster).
   * Needs the optional peer @kubernetes/client-node.
   */
  cluster?: ClusterTarget
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
  passEnv: string[]
  propagationDelayMs: number
  /** Where the propagation delay came from. */
  propagationDelayFrom: PropagationDelayFrom
  addDelayMs: number
  removeDelayMs: number
  proxy: ProxyKind
  warmupMs: number
  tailMs: number
  restartBackoffMs: number
  load: ResolvedLoad
  scenario: Scenario
  /** The target Kubernetes; undefined: the current one. */
  kube: KubeVersion | undefined
  pidNamespace: boolean
  allowUncleanExits: boolean
  /** On a real cluster (--cluster): where, and the images it rolls between. */
  cluster?: ResolvedCluster
  /** The container mode: pods are containers of these images (see runtime/container-options.ts). */
  containers?: ResolvedContainers
}

/**
 * `rolling-update`: the template changes from oldVersion to newVersion. `node-drain`: the node the pods
 * run on is drained — evictions through the PodDisruptionBudget, no surge, the ReplicaSet replaces each
 * pod. `rollback`: the update is undone half way, the old template becomes the new one again. `restart`:
 * `kubectl rollout restart`, a new ReplicaSet of the same version. The last two keep oldVersion throughout.
 */
export const SCENARIOS = ['rolling-update', 'node-drain', 'rollback', 'restart'] as const
export type Scenario = typeof SCENARIOS[number]

export type PropagationDelayFrom = 'option' | 'annotation' | 'default'

export const DEFAULT_MANIFEST = fileURLToPath(new URL('../manifests/demo.yaml', import.meta.url))

export const DEFAULTS = {
  oldVersion: '1.0.0',
  newVersion: '2.0.0',
  versionEnv: SETTINGS.appVersion.env,
  propagationDelayMs: 2000,
  warmupMs: 1000,
  tailMs: 1000,
  restartBackoffMs: 10_000
} as const

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

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
  for (const key of ['propagationDelayMs', 'addDelayMs', 'removeDelayMs', 'warmupMs', 'tailMs', 'restartBackoffMs'] as const) checkMs(key, opts[key])
  for (const key of ['manifest', 'cwd', 'oldVersion', 'newVersion'] as const) checkString(key, opts[key])
  checkString('versionEnv', opts.versionEnv, ENV_NAME, 'an environment variable name like ZERODOWN_APP_VERSION')
  const scenario = opts.scenario ?? 'rolling-update'
  if (!SCENARIOS.includes(scenario)) throw new RehearseInvalidOptionError('scenario', `one of ${SCENARIOS.join(', ')}`, describe(opts.scenario))
  for (const key of ['pidNamespace', 'allowUncleanExits'] as const) {
    if (opts[key] !== undefined && typeof opts[key] !== 'boolean') throw new RehearseInvalidOptionError(key, 'a boolean', describe(opts[key]))
  }
  // With images, the command is the image's (and the manifest's), and the versions default to the tags.
  const cluster = opts.cluster === undefined ? undefined : resolveCluster(opts.cluster, { ...opts, scenario })
  const images = cluster !== undefined ? cluster : resolveContainers(opts)
  const oldVersion = opts.oldVersion ?? images?.oldVersion ?? DEFAULTS.oldVersion
  // A drain and a restart run one version: newVersion has no part in them.
  const sameVersion = scenario === 'node-drain' || scenario === 'restart'
  const newVersion = sameVersion ? oldVersion : opts.newVersion ?? images?.newVersion ?? DEFAULTS.newVersion
  if (!sameVersion && oldVersion === newVersion) {
    throw new RehearseInvalidOptionError('newVersion', `a version different from oldVersion${images?.newVersion !== undefined ? ' (the images\' tags are the same: pass the versions)' : ''}`, describe(newVersion))
  }
  if (images !== undefined && opts.command !== undefined && opts.command.length > 0) {
    throw new RehearseInvalidOptionError('command', 'no command with an image: the image\'s entrypoint and the manifest\'s command and args start each pod', describe(opts.command))
  }
  if (images === undefined && cluster === undefined && (!Array.isArray(opts.command) || opts.command.length === 0 || !opts.command.every((a) => typeof a === 'string' && a !== ''))) {
    throw new RehearseInvalidOptionError('command', 'the command that starts one pod, a non-empty array of strings like ["node", "server.js"]', describe(opts.command))
  }
  if (opts.passEnv !== undefined && (!Array.isArray(opts.passEnv) || !opts.passEnv.every((name) => typeof name === 'string' && ENV_NAME.test(name)))) {
    throw new RehearseInvalidOptionError('passEnv', 'an array of environment variable names like ["DATABASE_URL"]', describe(opts.passEnv))
  }
  if (opts.env !== undefined && (opts.env === null || typeof opts.env !== 'object' || !Object.values(opts.env).every((v) => typeof v === 'string'))) {
    throw new RehearseInvalidOptionError('env', 'an object of string values', describe(opts.env))
  }
  if (opts.proxy !== undefined && !PROXIES.includes(opts.proxy)) throw new RehearseInvalidOptionError('proxy', `one of ${PROXIES.join(', ')}`, describe(opts.proxy))
  const load = { ...LOAD_DEFAULTS, ...opts.load }
  if (load.requests !== undefined && (opts.load?.fastPath !== undefined || opts.load?.slowPath !== undefined)) {
    throw new RehearseInvalidOptionError('load.requests', 'either requests or the fastPath/slowPath shorthands, not both', 'both')
  }
  if (!(typeof load.rate === 'number' && load.rate > 0 && load.rate <= 10_000)) throw new RehearseInvalidOptionError('load.rate', 'requests per second, from 0 (excluded) to 10000', describe(load.rate))
  if (!(Number.isInteger(load.connections) && load.connections >= 1 && load.connections <= 256)) throw new RehearseInvalidOptionError('load.connections', 'an integer from 1 to 256', describe(load.connections))
  if (!(Number.isInteger(load.newConnectionClients) && load.newConnectionClients >= 0 && load.newConnectionClients <= 256)) throw new RehearseInvalidOptionError('load.newConnectionClients', 'an integer from 0 to 256', describe(load.newConnectionClients))
  if (!(typeof load.slowShare === 'number' && load.slowShare >= 0 && load.slowShare <= 1)) throw new RehearseInvalidOptionError('load.slowShare', 'a number from 0 to 1', describe(load.slowShare))
  checkMs('load.timeoutMs', load.timeoutMs)
  if (load.model !== 'closed' && load.model !== 'open') throw new RehearseInvalidOptionError('load.model', '"closed" or "open"', describe(load.model))
  checkMs('load.burstMs', load.burstMs)
  if (load.newConnectionClients > 0 && load.model !== 'closed') throw new RehearseInvalidOptionError('load.newConnectionClients', 'new-connection clients with the closed loop only (load.model "closed")', describe(load.newConnectionClients))
  if (load.burstMs > 0 && load.model !== 'open') throw new RehearseInvalidOptionError('load.burstMs', 'bursts with the open loop only (load.model "open")', describe(load.burstMs))
  if (!(Number.isInteger(load.retries) && load.retries >= 0 && load.retries <= 10)) throw new RehearseInvalidOptionError('load.retries', 'an integer from 0 to 10', describe(load.retries))
  checkString('load.fastPath', load.fastPath, /^\//, 'a path starting with "/"')
  checkString('load.slowPath', load.slowPath, /^\//, 'a path starting with "/"')
  const requests = load.requests !== undefined
    ? resolveRequests(load.requests, (field, expected, got) => { throw new RehearseInvalidOptionError(`load.${field}`, expected, describe(got)) })
    : shorthandRequests(load.fastPath, load.slowPath, load.slowShare)
  const longLived = load.longLived === undefined
    ? undefined
    : resolveLongLived(load.longLived, (field, expected, got) => { throw new RehearseInvalidOptionError(`load.${field}`, expected, describe(got)) })

  checkString('kubeVersion', opts.kubeVersion)
  let kube: KubeVersion | undefined
  try {
    kube = opts.kubeVersion === undefined ? undefined : parseKubeVersion(opts.kubeVersion)
  } catch (err) {
    throw new RehearseInvalidOptionError('kubeVersion', 'a Kubernetes version like 1.30 or v1.20.2, 1.20 or later', describe(opts.kubeVersion))
  }
  const given = opts.command ?? []
  const command = given[0] === 'node' ? [process.execPath, ...given.slice(1)] : given
  const manifest = opts.manifest ?? DEFAULT_MANIFEST
  const deployment = opts.deployment ?? readManifestFile(manifest)
  if (deployment.preStop !== undefined && 'sleepSeconds' in deployment.preStop && !supports(kube, 'preStopSleep')) {
    throw new RehearseInvalidOptionError('kubeVersion', `Kubernetes 1.30 or later for the manifest's preStop sleep action (Kubernetes ${formatKubeVersion(kube!)} lacks it: render with zerodown-deploy --kube-version ${formatKubeVersion(kube!)}, which runs sleep in the container)`, describe(opts.kubeVersion))
  }
  const propagationDelayMs = opts.propagationDelayMs ?? (deployment.propagationSeconds !== undefined ? deployment.propagationSeconds * 1000 : DEFAULTS.propagationDelayMs)
  const propagationDelayFrom: PropagationDelayFrom = opts.propagationDelayMs !== undefined ? 'option' : deployment.propagationSeconds !== undefined ? 'annotation' : 'default'
  return {
    manifest,
    deployment,
    command,
    cwd: opts.cwd ?? process.cwd(),
    oldVersion,
    newVersion,
    versionEnv: opts.versionEnv ?? DEFAULTS.versionEnv,
    env: opts.env ?? {},
    passEnv: opts.passEnv ?? [],
    propagationDelayMs,
    propagationDelayFrom,
    addDelayMs: opts.addDelayMs ?? propagationDelayMs,
    removeDelayMs: opts.removeDelayMs ?? propagationDelayMs,
    proxy: opts.proxy ?? 'kube-proxy',
    warmupMs: opts.warmupMs ?? DEFAULTS.warmupMs,
    tailMs: opts.tailMs ?? DEFAULTS.tailMs,
    restartBackoffMs: opts.restartBackoffMs ?? DEFAULTS.restartBackoffMs,
    load: { rate: load.rate, connections: load.connections, newConnectionClients: load.newConnectionClients, model: load.model, burstMs: load.burstMs, retries: load.retries, timeoutMs: load.timeoutMs, requests, ...(longLived !== undefined && longLived.length > 0 && { longLived }) },
    scenario,
    kube,
    pidNamespace: opts.pidNamespace ?? true,
    allowUncleanExits: opts.allowUncleanExits ?? false,
    ...(cluster !== undefined && { cluster }),
    ...(images !== undefined && 'containers' in images && { containers: images.containers })
  }
}
