// Every flag of zerodown-rehearse, once: its name, the value it takes and its help. The argument
// parser (parse.ts) and the help text (help.ts) are both made from this table.
import { LOAD_DEFAULTS } from '../load/requests.js'
import { DEFAULTS, SCENARIOS } from '../options.js'
import { SWEEP_DEFAULTS } from '../sweep.js'

export interface Flag {
  /** Without the leading dashes. */
  name: string
  short?: string
  /** `number` is parsed as a string and checked to be a number. */
  type: 'string' | 'number' | 'boolean'
  multiple?: boolean
  /** What help shows for its value: N, FILE, V. */
  value?: string
  section: Section
  /** Its help, a line each as printed. */
  help: string[]
}

export const SECTIONS = ['Rollout', 'Scenario and process', 'Containers (instead of a command: each pod is a container of the image)', 'A real cluster (instead of this machine)', 'Load', 'Traffic', 'Output'] as const
export type Section = typeof SECTIONS[number]

const flag = (section: Section) => (name: string, type: Flag['type'], value: string | undefined, ...help: string[]): Flag =>
  ({ name, type, section, help, ...(value !== undefined && { value }) })

const rollout = flag('Rollout')
const scenario = flag('Scenario and process')
const container = flag('Containers (instead of a command: each pod is a container of the image)')
const real = flag('A real cluster (instead of this machine)')
const load = flag('Load')
const traffic = flag('Traffic')
const output = flag('Output')

export const FLAGS: Flag[] = [
  rollout('manifest', 'string', 'FILE', 'rendered manifests (multi-document YAML) holding one Deployment', '(default: the demo manifest shipped with the package)'),
  { ...rollout('values', 'string', 'FILE', 'or a values file of the deploy chart, rendered with @zerodown/deploy', '(repeatable, later files win)'), multiple: true },
  rollout('release', 'string', 'NAME', 'the release the values are rendered for, as zerodown-deploy render NAME', '(default: the chart name, zerodown)'),
  rollout('old-version', 'string', 'V', `version before the rollout (default ${DEFAULTS.oldVersion})`),
  rollout('new-version', 'string', 'V', `version after it (default ${DEFAULTS.newVersion})`),
  rollout('version-env', 'string', 'NAME', `environment variable carrying the version (default ${DEFAULTS.versionEnv})`),
  { ...rollout('env', 'string', 'KEY=VALUE', 'extra environment for every pod (repeatable)'), multiple: true },
  { ...rollout('pass-env', 'string', 'NAME', 'pass this variable of your environment to every pod (repeatable)'), multiple: true },
  rollout('cwd', 'string', 'DIR', 'working directory of the pods'),
  rollout('baseline', 'boolean', undefined, 'rehearse the naive baseline app shipped with the package (no command)'),
  rollout('propagation-delay-ms', 'number', 'N', 'how long endpoint changes take to reach the Service (default: the',
    `Deployment's zerodown.dev/propagation-seconds annotation, else ${DEFAULTS.propagationDelayMs})`),
  rollout('warmup-ms', 'number', 'N', `load before the rollout starts (default ${DEFAULTS.warmupMs})`),
  rollout('tail-ms', 'number', 'N', `load after the last old pod is gone (default ${DEFAULTS.tailMs})`),
  rollout('restart-backoff-ms', 'number', 'N', `first container restart back-off (default ${DEFAULTS.restartBackoffMs})`),
  scenario('scenario', 'string', 'NAME', `${SCENARIOS.join(' | ')} (default rolling-update):`,
    'node-drain evicts every pod through the PodDisruptionBudget (no surge),', 'rollback undoes the update half way, restart is kubectl rollout restart'),
  scenario('kube-version', 'string', 'V', 'rehearse this Kubernetes (e.g. 1.20): kube-proxy\'s fallback to terminating',
    'endpoints (1.26), the preStop sleep action (1.30); --values render for it', '(default: the current Kubernetes)'),
  scenario('no-pid-namespace', 'boolean', undefined, 'run the app as a plain process, not as PID 1 of a PID namespace'),
  scenario('allow-unclean-exits', 'boolean', undefined, 'pass even when a pod that had to go exits non-zero, at its own deadline,',
    'before its drain ended or on a signal it does not handle (still reported)'),
  container('image', 'string', 'REF', 'one image for both versions, the version in --version-env as with a command'),
  container('old-image', 'string', 'REF', 'or the image before the rollout ...'),
  container('new-image', 'string', 'REF', '... and the one rolled out to (versions default to the image tags)'),
  container('runtime', 'string', 'ENGINE', 'podman or docker (default: the first on PATH); images must be on this',
    'machine (never pulled); podman reads CONTAINERS_CONF from your environment'),
  real('cluster', 'boolean', undefined, 'rehearse on the cluster of your kubeconfig: the manifest is applied into a',
    'namespace of its own, rolled to --new-image (or to --new-version alone) under the', 'same load, and deleted after, also on Ctrl+C (needs @kubernetes/client-node)'),
  real('kubeconfig', 'string', 'FILE', 'its kubeconfig (default: $KUBECONFIG, else ~/.kube/config)'),
  real('context', 'string', 'NAME', 'its context (default: the current one)'),
  real('namespace', 'string', 'NS', 'rehearse in this namespace, which is kept (its objects are deleted)'),
  real('url', 'string', 'URL', 'send the load here: an Ingress or load balancer (default: the Service,', 'which must then be reachable from here)'),
  load('rate', 'number', 'N', `requests per second (default ${LOAD_DEFAULTS.rate})`),
  load('connections', 'number', 'N', `keep-alive connections (default ${LOAD_DEFAULTS.connections})`),
  load('new-connection-clients', 'number', 'N', 'more clients that open a new connection for every request, sharing',
    `the rate (closed loop; default ${LOAD_DEFAULTS.newConnectionClients})`),
  load('load', 'string', 'FILE', 'the app\'s requests, YAML or JSON:', 'requests: [{ name?, method, path, headers?, body?, weight?, expect? }]',
    'and long-lived clients, WebSocket or server-sent events:', 'longLived: [{ kind: websocket | sse, path, clients?, messageWithinMs? }]'),
  load('fast-path', 'string', 'PATH', `or a GET request (default ${LOAD_DEFAULTS.fastPath})`),
  load('slow-path', 'string', 'PATH', 'and a slower GET request (no default), e.g. one that takes 300 ms'),
  load('slow-share', 'number', 'F', `share of slow requests, 0 to 1 (default ${LOAD_DEFAULTS.slowShare})`),
  load('timeout-ms', 'number', 'N', `a request taking longer is a timeout (default ${LOAD_DEFAULTS.timeoutMs})`),
  traffic('proxy', 'string', 'P', 'the path to the pods: kube-proxy (L4, pins connections; default), ingress',
    '(an L7 model: per-request balancing, pooled upstream connections, retries,', '502/503/504) or nginx (a real nginx found on PATH, configured the same way)'),
  traffic('add-delay-ms', 'number', 'N', 'how long a new ready endpoint takes to reach the proxy'),
  traffic('remove-delay-ms', 'number', 'N', 'how long a deleted or unready endpoint takes to leave it', '(both default to the propagation delay)'),
  traffic('sweep', 'boolean', undefined, 'rehearse at removal delays rising from it by --sweep-step-ms (default',
    `${SWEEP_DEFAULTS.stepMs}), at most --sweep-runs times (default ${SWEEP_DEFAULTS.maxRuns}), and report the largest`, 'that passes: the rollout\'s safety margin'),
  traffic('sweep-step-ms', 'number', 'N', 'the sweep\'s step'),
  traffic('sweep-runs', 'number', 'N', 'the sweep\'s bound on runs'),
  traffic('open-loop', 'boolean', undefined, 'send the rate on schedule, late or not, over a pool of --connections;', 'latency counts from when a request was due'),
  traffic('burst-ms', 'number', 'N', 'open loop: send each N ms worth of requests at once, the pool idle between'),
  traffic('client-retries', 'number', 'N', 'retry an idempotent request refused, reset or answered 502/503/504 (default 0)'),
  output('json', 'boolean', undefined, 'print the result as JSON (shape in the README) instead of the summary'),
  output('report', 'string', 'FILE.html', 'write a self-contained HTML report with charts'),
  output('compare', 'boolean', undefined, 'rehearse the app, then the baseline, and print their failures side by side'),
  { ...output('help', 'boolean', undefined, 'this help'), short: 'h' }
]
