import { hostname } from 'node:os'
import { resolve } from 'node:path'
import { readBuildInfo, readNearestPackageJson, type BuildInfo } from './build-info.js'
import { VersionInvalidOptionError, VersionUnsafeValueError } from './errors.js'

export interface VersionOptions {
  /** Application name. Default: build-info.json, then the nearest package.json. */
  name?: string
  /** Application version. Default: `APP_VERSION`, build-info.json, then the nearest package.json. */
  version?: string
  /** Source commit. Default: `GIT_COMMIT`, then build-info.json, else `"unknown"`. */
  commit?: string
  /** Build time (ISO 8601). Default: `BUILD_TIME`, then build-info.json, else `"unknown"`. */
  buildTime?: string
  /** Instance name. Default: `HOSTNAME` (the pod name in Kubernetes), then the OS host name. */
  instance?: string
  /** Path of the version route, or `false` for no route. Default `"/version"`. */
  path?: string | false
  /** Name of the header added to every response, or `false` for none. Default `"x-app-version"`. */
  header?: string | false
  /** build-info.json to read. Default `build-info.json` in `cwd`, skipped when absent. */
  buildInfoPath?: string
  /** Folder where build-info.json and package.json are looked for. Default `process.cwd()`. */
  cwd?: string
  /** Environment to read `APP_VERSION`, `GIT_COMMIT`, `BUILD_TIME`, `HOSTNAME` from. Default `process.env`. */
  env?: Record<string, string | undefined>
}

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

export interface ResolvedVersionOptions {
  path: string | false
  header: string | false
  info: VersionInfo
}

const DEFAULTS = {
  path: '/version',
  header: 'x-app-version',
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
  if (opts.env !== undefined && (opts.env === null || typeof opts.env !== 'object')) {
    throw new VersionInvalidOptionError('env', 'an object of environment variables', describe(opts.env))
  }
}

interface Fact { value: string, source: string }

/** First defined candidate wins; each candidate remembers where it came from for error messages. */
function pick (...candidates: Array<[string | undefined, string]>): Fact | undefined {
  for (const [value, source] of candidates) {
    if (value !== undefined && value !== '') return { value, source }
  }
  return undefined
}

function headerSafe (field: string, fact: Fact | undefined): string {
  if (fact === undefined) return DEFAULTS.unknown
  if (!HEADER_SAFE.test(fact.value)) throw new VersionUnsafeValueError(field, fact.source, JSON.stringify(fact.value))
  return fact.value
}

export function resolveOptions (opts: VersionOptions, fastifyVersion: string): ResolvedVersionOptions {
  validate(opts)
  const env = opts.env ?? process.env
  const cwd = opts.cwd ?? process.cwd()
  const buildInfoFile = resolve(cwd, opts.buildInfoPath ?? DEFAULTS.buildInfoFile)
  const file: BuildInfo = readBuildInfo(buildInfoFile, opts.buildInfoPath !== undefined) ?? {}
  const pkg = readNearestPackageJson(cwd) ?? {}
  const fromFile = `build info file ${buildInfoFile}`

  const info: VersionInfo = Object.freeze({
    name: headerSafe('name', pick([opts.name, 'option "name"'], [file.name, fromFile], [pkg.name, 'package.json'])),
    version: headerSafe('version', pick(
      [opts.version, 'option "version"'], [env.APP_VERSION, 'environment variable APP_VERSION'],
      [file.version, fromFile], [pkg.version, 'package.json'])),
    commit: headerSafe('commit', pick(
      [opts.commit, 'option "commit"'], [env.GIT_COMMIT, 'environment variable GIT_COMMIT'], [file.commit, fromFile])),
    buildTime: headerSafe('buildTime', pick(
      [opts.buildTime, 'option "buildTime"'], [env.BUILD_TIME, 'environment variable BUILD_TIME'], [file.buildTime, fromFile])),
    node: process.version,
    fastify: fastifyVersion,
    startedAt: new Date().toISOString(),
    instance: headerSafe('instance', pick(
      [opts.instance, 'option "instance"'], [env.HOSTNAME, 'environment variable HOSTNAME'], [hostname(), 'the host name']))
  })

  return {
    path: opts.path ?? DEFAULTS.path,
    header: opts.header ?? DEFAULTS.header,
    info
  }
}
