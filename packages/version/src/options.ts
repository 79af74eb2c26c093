import { hostname } from 'node:os'
import { resolve } from 'node:path'
import { readBuildInfo, readNearestPackageJson, type BuildInfo } from './build-info.js'
import { checkOptions, DEFAULT_VERSION_PATH, describeValue, forms, readEnv, SETTINGS, type ContractSetting, type Env } from '@zerodown/contract'
import { VersionInvalidEnvError, VersionInvalidOptionError, VersionUnsafeValueError } from './errors.js'

export interface VersionOptions {
  /** Application name. Default: build-info.json, then the nearest package.json. */
  name?: string
  /** Application version. Default: `ZERODOWN_APP_VERSION`, build-info.json, then the nearest package.json. */
  version?: string
  /** Source commit. Default: `ZERODOWN_GIT_COMMIT`, then build-info.json, else `"unknown"`. */
  commit?: string
  /** Build time (ISO 8601). Default: `ZERODOWN_BUILD_TIME`, then build-info.json, else `"unknown"`. */
  buildTime?: string
  /** Instance name. Default: `HOSTNAME` (the pod name in Kubernetes), then the OS host name. */
  instance?: string
  /** Path of the version route, or `false` for no route. Default `"/version"`. */
  path?: string | false
  /** Name of the header carrying the version, or `false` for none. Default `"x-app-version"`. */
  header?: string | false
  /**
   * Which replies carry the header. `"all"` (default): every reply, through an `onRequest` hook
   * (404s, errors, replies hooks send, routes registered before the plugin, WebSocket handshakes).
   * `"routes"` (opt-in, no hook per successful request): only replies of the routes registered after
   * the plugin, error replies and WebSocket handshakes; not 404s of the not-found handler, nor
   * replies that hooks send without an error.
   */
  headerOn?: HeaderOn
  /** build-info.json to read. Default `build-info.json` in `cwd`, skipped when absent. */
  buildInfoPath?: string
  /** Folder where build-info.json and package.json are looked for. Default `process.cwd()`. */
  cwd?: string
  /** Environment to read `ZERODOWN_APP_VERSION`, `ZERODOWN_GIT_COMMIT`, `ZERODOWN_BUILD_TIME`, `HOSTNAME` from. Default `process.env`. */
  env?: Env
}

export type HeaderOn = 'routes' | 'all'

/** What the route answers and `fastify.versionInfo` holds. */
export interface VersionInfo {
  readonly name: string
  readonly version: string
  readonly commit: string
  readonly buildTime: string
  readonly node: string
  readonly fastify: string
  readonly startedAt: string
  readonly instance: string
}

/** A fact and where it came from: an option, an environment variable, a file, or a default. */
export interface Fact {
  value: string
  source: string
}

export type FactName = 'name' | 'version' | 'commit' | 'buildTime' | 'instance'

export interface ResolvedVersionOptions {
  path: string | false
  header: string | false
  headerOn: HeaderOn
  info: VersionInfo
  /** The build's facts with where each came from, for the start log. */
  facts: Record<FactName, Fact>
}

/** The environment variables of the contract (chart value -> pod environment -> plugin option). */
export const ENV = Object.freeze({
  version: SETTINGS.appVersion.env,
  commit: SETTINGS.gitCommit.env,
  buildTime: SETTINGS.buildTime.env,
  instance: SETTINGS.instance.env
})

const DEFAULTS = {
  path: DEFAULT_VERSION_PATH,
  header: 'x-app-version',
  headerOn: 'all',
  buildInfoFile: 'build-info.json',
  unknown: 'unknown'
} as const

/** Every option and its form: the contract's checker refuses anything else, naming it. */
const SHAPE = {
  name: forms.headerText,
  version: SETTINGS.appVersion.form,
  commit: SETTINGS.gitCommit.form,
  buildTime: SETTINGS.buildTime.form,
  instance: SETTINGS.instance.form,
  path: forms.orFalse(forms.literalPath),
  header: forms.orFalse(forms.headerName),
  headerOn: forms.oneOf(['routes', 'all'] as const),
  buildInfoPath: forms.nonEmptyText,
  cwd: forms.nonEmptyText,
  env: forms.environment
}

/** A fact's value from the option, the environment, build-info.json or package.json, with where it came from. */
type Candidate = [value: string | undefined, source: string]

/** The contract variable, read only when its option is not given; a malformed one names the variable. */
function variable (option: string | undefined, env: Env, setting: ContractSetting<string>): Candidate {
  return [option === undefined ? readEnv(setting, env, VersionInvalidEnvError) : undefined, `environment variable ${setting.env}`]
}

/**
 * First defined candidate wins. The option and the variable were checked already; a value from a
 * file must have the same form, or the error names the file.
 */
function pick (field: FactName, form: forms.Form<string>, ...candidates: Candidate[]): Fact {
  for (const [value, source] of candidates) {
    if (value === undefined || value === '') continue
    if (!form.is(value)) throw new VersionUnsafeValueError(field, source, `${describeValue(value)}: it must be ${form.expected}`)
    return { value, source }
  }
  return { value: DEFAULTS.unknown, source: 'default' }
}

export function resolveOptions (opts: VersionOptions, fastifyVersion: string): ResolvedVersionOptions {
  checkOptions(SHAPE, opts, VersionInvalidOptionError)
  const env = opts.env ?? process.env
  const cwd = opts.cwd ?? process.cwd()
  const buildInfoFile = resolve(cwd, opts.buildInfoPath ?? DEFAULTS.buildInfoFile)
  const file: BuildInfo = readBuildInfo(buildInfoFile, opts.buildInfoPath !== undefined) ?? {}
  const pkg = readNearestPackageJson(cwd) ?? {}
  const fromFile = `build info file ${buildInfoFile}`
  const text = forms.headerText

  const facts: Record<FactName, Fact> = {
    name: pick('name', text, [opts.name, 'option "name"'], [file.name, fromFile], [pkg.name, 'package.json']),
    version: pick('version', text, [opts.version, 'option "version"'], variable(opts.version, env, SETTINGS.appVersion), [file.version, fromFile], [pkg.version, 'package.json']),
    commit: pick('commit', text, [opts.commit, 'option "commit"'], variable(opts.commit, env, SETTINGS.gitCommit), [file.commit, fromFile]),
    buildTime: pick('buildTime', forms.isoDate, [opts.buildTime, 'option "buildTime"'], variable(opts.buildTime, env, SETTINGS.buildTime), [file.buildTime, fromFile]),
    instance: pick('instance', text, [opts.instance, 'option "instance"'], variable(opts.instance, env, SETTINGS.instance), [hostname(), 'the host name'])
  }
  const info: VersionInfo = Object.freeze({
    name: facts.name.value,
    version: facts.version.value,
    commit: facts.commit.value,
    buildTime: facts.buildTime.value,
    node: process.version,
    fastify: fastifyVersion,
    startedAt: new Date().toISOString(),
    instance: facts.instance.value
  })

  return {
    path: opts.path ?? DEFAULTS.path,
    header: opts.header ?? DEFAULTS.header,
    headerOn: opts.headerOn ?? DEFAULTS.headerOn,
    info,
    facts
  }
}
