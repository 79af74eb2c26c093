// The contract from values to pod to plugin, written once: every setting that crosses a layer, with
// its name in each. The chart renders the variables from these rows, its lint and the plugins parse
// them with the same form, and the root README's table is tested against them. The chart renders
// them in this order.
import { headerText, isoDate, literalPath, milliseconds, port, type Form } from './forms.js'

export type PluginName = 'shutdown' | 'probes' | 'version'

export interface ContractSetting<T = unknown> {
  /** What it is, as the README's table says it. */
  readonly what: string
  /** The pod environment variable. */
  readonly env: string
  /** The chart value it is rendered from; `scale` turns the value's unit into the variable's. Absent: the chart does not set it. */
  readonly chart?: { readonly path: string, readonly scale?: number, readonly whenNull?: string }
  /** Where the variable comes from when the chart does not set it. */
  readonly elsewhere?: string
  /** The plugin and option it feeds; absent: the app reads it itself. */
  readonly plugin?: { readonly name: PluginName, readonly option: string }
  /** What the plugin uses when neither the option nor the variable is set, as a value or in words. */
  readonly default: T | undefined
  readonly defaultText: string
  readonly unit: string
  /** How the variable is parsed, and what it must be. */
  readonly form: Form<T>
}

/** A row; its default keeps its own type, so a default that is always set reads as set. */
function setting<T, D extends T | undefined = T | undefined> (row: ContractSetting<T> & { default: D }): ContractSetting<T> & { readonly default: D } {
  return Object.freeze(row)
}

export const SETTINGS = Object.freeze({
  appVersion: setting<string>({
    what: 'version',
    env: 'ZERODOWN_APP_VERSION',
    chart: { path: 'image.tag' },
    plugin: { name: 'version', option: 'version' },
    default: undefined,
    defaultText: '`build-info.json`, then `package.json`',
    unit: '—',
    form: headerText
  }),
  appPort: setting<number>({
    what: 'app port',
    env: 'PORT',
    chart: { path: 'container.port' },
    default: undefined,
    defaultText: 'the app\'s choice',
    unit: 'port',
    form: port
  }),
  drainDelay: setting({
    what: 'drain delay d',
    env: 'ZERODOWN_DRAIN_DELAY_MS',
    chart: { path: 'shutdown.drainDelaySeconds', scale: 1000 },
    plugin: { name: 'shutdown', option: 'drainDelay' },
    // Proxies and load balancers stop sending new connections 1-3 s (cloud ones 10 s) after deletion.
    default: 5000,
    defaultText: '5000 in Kubernetes (`KUBERNETES_SERVICE_HOST` set), else 0',
    unit: 'ms',
    form: milliseconds(0)
  }),
  shutdownTimeout: setting({
    what: 'shutdown timeout T, counted from SIGTERM, drain included',
    env: 'ZERODOWN_SHUTDOWN_TIMEOUT_MS',
    chart: { path: 'shutdown.timeoutSeconds', scale: 1000 },
    plugin: { name: 'shutdown', option: 'timeout' },
    // A preStop of 5 s + 20 s leaves 5 s of the default 30 s grace period to log what was pending.
    default: 20_000,
    defaultText: '20000',
    unit: 'ms',
    form: milliseconds(0)
  }),
  probePort: setting<number>({
    what: 'probe port',
    env: 'ZERODOWN_PROBE_PORT',
    chart: { path: 'probes.port', whenNull: 'the app port' },
    plugin: { name: 'probes', option: 'port' },
    default: undefined,
    defaultText: 'the app\'s own port',
    unit: 'port',
    form: port
  }),
  livenessPath: setting({
    what: 'liveness path',
    env: 'ZERODOWN_PROBE_LIVENESS_PATH',
    chart: { path: 'probes.liveness.path' },
    plugin: { name: 'probes', option: 'paths.liveness' },
    default: '/livez',
    defaultText: '`/livez`',
    unit: 'path',
    form: literalPath
  }),
  readinessPath: setting({
    what: 'readiness path',
    env: 'ZERODOWN_PROBE_READINESS_PATH',
    chart: { path: 'probes.readiness.path' },
    plugin: { name: 'probes', option: 'paths.readiness' },
    default: '/readyz',
    defaultText: '`/readyz`',
    unit: 'path',
    form: literalPath
  }),
  startupPath: setting({
    what: 'startup path',
    env: 'ZERODOWN_PROBE_STARTUP_PATH',
    chart: { path: 'probes.startup.path' },
    plugin: { name: 'probes', option: 'paths.startup' },
    default: '/startupz',
    defaultText: '`/startupz`',
    unit: 'path',
    form: literalPath
  }),
  checkTimeout: setting({
    what: 'check timeout',
    env: 'ZERODOWN_PROBE_CHECK_TIMEOUT_MS',
    chart: { path: 'probes.checkTimeoutMs' },
    plugin: { name: 'probes', option: 'checkTimeout' },
    // Below Kubernetes' default 1 s probe timeout, so a slow check answers 503 rather than timing out.
    default: 500,
    defaultText: '500',
    unit: 'ms',
    form: milliseconds(1)
  }),
  gitCommit: setting<string>({
    what: 'commit',
    env: 'ZERODOWN_GIT_COMMIT',
    elsewhere: 'image build',
    plugin: { name: 'version', option: 'commit' },
    default: undefined,
    defaultText: '`build-info.json`, else `unknown`',
    unit: '—',
    form: headerText
  }),
  buildTime: setting<string>({
    what: 'build time',
    env: 'ZERODOWN_BUILD_TIME',
    elsewhere: 'image build',
    plugin: { name: 'version', option: 'buildTime' },
    default: undefined,
    defaultText: '`build-info.json`, else `unknown`',
    unit: 'ISO 8601',
    form: isoDate
  }),
  instance: setting<string>({
    what: 'instance',
    env: 'HOSTNAME',
    elsewhere: 'the pod name, set by the kubelet',
    plugin: { name: 'version', option: 'instance' },
    default: undefined,
    defaultText: 'the OS host name',
    unit: '—',
    form: headerText
  })
})

export type SettingName = keyof typeof SETTINGS

/** Set in every pod by Kubernetes: its presence is how the shutdown plugin knows it runs in a cluster. */
export const KUBERNETES_SERVICE_HOST = 'KUBERNETES_SERVICE_HOST'

/** The route @zerodown/version answers on unless its `path` option says otherwise: no probe may take it. */
export const DEFAULT_VERSION_PATH = '/version'
