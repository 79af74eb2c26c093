import { hostname } from 'node:os'
import { resolve } from 'node:path'
import { readBuildInfo, readNearestPackageJson, type BuildInfo } from './build-info.js'
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
   * Which replies carry the header. `"routes"` (default): every reply of a route registered after
   * the plugin, and every error reply; no hook runs per request. `"all"`: also 404s of the
   * not-found handler and replies that hooks send without an error, through an `onSend` hook
   * that runs for every reply.
   */
  headerOn?: HeaderOn
  /** build-info.json to read. Default `build-info.json` in `cwd`, skipped when absent. */
  buildInfoPath?: string
  /** Folder where build-info.json and package.json are looked for. Default `process.cwd()`. */
  cwd?: string
  /** Environment to read `ZERODOWN_APP_VERSION`, `ZERODOWN_GIT_COMMIT`, `ZERODOWN_BUILD_TIME`, `HOSTNAME` from. Default `process.env`. */
  env?: Record<string, string | undefined>
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
  version: 'ZERODOWN_APP_VERSION',
  commit: 'ZERODOWN_GIT_COMMIT',
  buildTime: 'ZERODOWN_BUILD_TIME',
  instance: 'HOSTNAME'
})

const DEFAULTS = {
  path: '/version',
  header: 'x-app-version',
  headerOn: 'routes',
  buildInfoFile: 'build-info.json',
  unknown: 'unknown'
} as const

// RFC 9110 token: what a header name may contain.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
// Printable ASCII, no leading or trailing space: safe as a header value and in logs.
const HEADER_SAFE = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/

const STRING_OPTIONS = ['name', 'version', 'commit', 'buildTime', 'instance', 'buildInfoPath', 'cwd'] as const

function describe (value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : `${typeof value} ${String(value)}`
}

function validate (opts: VersionOptions): void {
  for (const key of STRING_OPTIONS) {
    const value = opts[key]
    if (value !== undefined && (typeof value !== 'string' || value === '')) {
      throw new VersionInvalidOptionError(key, 'a non-empty string', describe(value))
    }
  }
  if (opts.path !== undefined && opts.path !== false && (typeof opts.path !== 'string' || !opts.path.startsWith('/'))) {
    throw new VersionInvalidOptionError('path', 'false or a string starting with "/"', describe(opts.path))
  }
  if (opts.header !== undefined && opts.header !== false && (typeof opts.header !== 'string' || !TOKEN.test(opts.header))) {
    throw new VersionInvalidOptionError('header', 'false or an HTTP header name like "x-app-version"', describe(opts.header))
  }
  if (opts.headerOn !== undefined && opts.headerOn !== 'routes' && opts.headerOn !== 'all') {
    throw new VersionInvalidOptionError('headerOn', '"routes" or "all"', describe(opts.headerOn))
  }
  if (opts.env !== undefined && (opts.env === null || typeof opts.env !== 'object')) {
    throw new VersionInvalidOptionError('env', 'an object of environment variables', describe(opts.env))
  }
}

const HEADER_FORM = 'printable ASCII without line breaks or surrounding spaces (it is sent in an HTTP header)'

/**
 * A contract variable, read only when its option is not given: unset when empty; validated when set,
 * naming the variable.
 */
function variable (option: string | undefined, env: Record<string, string | undefined>, name: string, date = false): [string | undefined, string] {
  const raw = env[name]
  const source = `environment variable ${name}`
  if (option !== undefined || raw === undefined || raw === '') return [undefined, source]
  if (!HEADER_SAFE.test(raw)) throw new VersionInvalidEnvError(name, HEADER_FORM, JSON.stringify(raw))
  if (date && Number.isNaN(Date.parse(raw))) {
    throw new VersionInvalidEnvError(name, 'an ISO 8601 date like 2026-11-25T10:00:00Z', JSON.stringify(raw))
  }
  return [raw, source]
}

/** First defined candidate wins; each candidate remembers where it came from, for errors and the start log. */
function pick (field: string, ...candidates: Array<[string | undefined, string]>): Fact {
  for (const [value, source] of candidates) {
    if (value === undefined || value === '') continue
    if (!HEADER_SAFE.test(value)) throw new VersionUnsafeValueError(field, source, JSON.stringify(value))
    return { value, source }
  }
  return { value: DEFAULTS.unknown, source: 'default' }
}

export function resolveOptions (opts: VersionOptions, fastifyVersion: string): ResolvedVersionOptions {
  validate(opts)
  const env = opts.env ?? process.env
  const cwd = opts.cwd ?? process.cwd()
  const buildInfoFile = resolve(cwd, opts.buildInfoPath ?? DEFAULTS.buildInfoFile)
  const file: BuildInfo = readBuildInfo(buildInfoFile, opts.buildInfoPath !== undefined) ?? {}
  const pkg = readNearestPackageJson(cwd) ?? {}
  const fromFile = `build info file ${buildInfoFile}`

  const facts: Record<FactName, Fact> = {
    name: pick('name', [opts.name, 'option "name"'], [file.name, fromFile], [pkg.name, 'package.json']),
    version: pick('version', [opts.version, 'option "version"'], variable(opts.version, env, ENV.version), [file.version, fromFile], [pkg.version, 'package.json']),
    commit: pick('commit', [opts.commit, 'option "commit"'], variable(opts.commit, env, ENV.commit), [file.commit, fromFile]),
    buildTime: pick('buildTime', [opts.buildTime, 'option "buildTime"'], variable(opts.buildTime, env, ENV.buildTime, true), [file.buildTime, fromFile]),
    instance: pick('instance', [opts.instance, 'option "instance"'], variable(opts.instance, env, ENV.instance), [hostname(), 'the host name'])
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
