// The requests of the load: read from a load file (`--load`, YAML or JSON) or built from the
// `--fast-path`/`--slow-path` shorthands, validated with a message that names the entry and field.
import { readInputFile } from '@zerodown/contract'
import { parseYamlDocument } from '@zerodown/deploy/yaml'
import { RehearseLoadFileError, type Fail } from '../errors.js'
import { resolveLongLived, type ResolvedLongLived } from './long-lived.js'
import { isObj, resolveHeaders, resolveMethod, resolvePath } from './fields.js'

/** One request of the load, as written in a load file or passed as `load.requests`. */
export interface LoadRequest {
  /** How every report line names it, beside its method and path: tells two entries of one path apart. */
  name?: string
  /** HTTP method. Default `GET`. */
  method?: string
  /** Path and query, starting with `/`. */
  path: string
  headers?: Record<string, string>
  /** A string is sent as is; any other JSON value as JSON, with `content-type: application/json` unless a content-type header is given. */
  body?: unknown
  /** Relative share of the load. Default 1. */
  weight?: number
  /** The statuses that count as success. Default any 2xx or 3xx. */
  expect?: number[]
}

/** A request ready to send. */
export interface ResolvedRequest {
  name?: string
  method: string
  path: string
  headers: Record<string, string>
  body?: string
  weight: number
  /** Absent: any 2xx or 3xx. */
  expect?: number[]
}

/** The largest body one request of the load may send: every request holds it in memory, many times a second. */
export const MAX_BODY_BYTES = 1024 * 1024

const FIELDS = new Set(['name', 'method', 'path', 'headers', 'body', 'weight', 'expect'])

export function describe (value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : `${Array.isArray(value) ? 'array' : typeof value} ${JSON.stringify(value) ?? String(value)}`
}

/** How report lines name a request: its method and path, and its name when it has one. */
export function requestLabel (q: { method: string, path: string, name?: string | undefined }): string {
  return `${q.method} ${q.path}${q.name !== undefined ? ` [${q.name}]` : ''}`
}

/** `request` is a success for `status`. */
export function isExpected (request: Pick<ResolvedRequest, 'expect'>, status: number): boolean {
  return request.expect === undefined ? status >= 200 && status < 400 : request.expect.includes(status)
}

/** Validates the `requests` list; `fail` names the field of the first problem. */
export function resolveRequests (value: unknown, fail: Fail, field = 'requests'): ResolvedRequest[] {
  if (!Array.isArray(value) || value.length === 0) fail(field, 'a non-empty list of requests like [{ method: GET, path: / }]', value)
  return (value as unknown[]).map((entry, i) => resolveRequest(entry, fail, `${field}[${i}]`))
}

function resolveRequest (entry: unknown, fail: Fail, at: string): ResolvedRequest {
  if (!isObj(entry)) fail(at, 'an object like { method: GET, path: / }', entry)
  const e = entry as Record<string, unknown>
  for (const key of Object.keys(e)) if (!FIELDS.has(key)) fail(`${at}.${key}`, `one of the fields ${[...FIELDS].join(', ')}`, key)
  const upper = resolveMethod(e.method ?? 'GET', fail, `${at}.method`)
  const path = resolvePath(e.path, fail, `${at}.path`)
  const headers = resolveHeaders(e.headers, fail, `${at}.headers`)
  let body: string | undefined
  if (e.body !== undefined) {
    if (upper === 'GET' || upper === 'HEAD') fail(`${at}.body`, `no body on a ${upper} request (use POST, PUT or PATCH)`, e.body)
    if (typeof e.body === 'string') {
      body = e.body
    } else {
      body = JSON.stringify(e.body)
      headers['content-type'] ??= 'application/json'
    }
    const size = Buffer.byteLength(body, 'utf8')
    if (size > MAX_BODY_BYTES) fail(`${at}.body`, `a body of at most ${MAX_BODY_BYTES} bytes (1 MiB)`, `${size} bytes`)
  }
  const weight = e.weight ?? 1
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0) fail(`${at}.weight`, 'a number > 0', weight)
  let expect: number[] | undefined
  if (e.expect !== undefined) {
    const list = e.expect
    if (!Array.isArray(list) || list.length === 0 || !list.every((s) => Number.isInteger(s) && s >= 100 && s <= 599)) {
      fail(`${at}.expect`, 'a non-empty list of HTTP statuses (integers from 100 to 599) like [200, 201]', list)
    }
    expect = list as number[]
  }
  if (e.name !== undefined && (typeof e.name !== 'string' || e.name.trim() === '' || e.name.length > 80)) fail(`${at}.name`, 'a name of 1 to 80 characters', e.name)
  return {
    ...(e.name !== undefined && { name: e.name as string }),
    method: upper,
    path,
    headers,
    ...(body !== undefined && { body }),
    weight: weight as number,
    ...(expect !== undefined && { expect })
  }
}

/** What a load file holds: its requests, and its long-lived clients when it has a `longLived` list. */
export interface LoadFile {
  requests: ResolvedRequest[]
  longLived?: ResolvedLongLived[]
}

/**
 * Reads a load file: YAML or JSON of the form `requests: [{ name?, method, path, headers?, body?, weight?, expect? }]`
 * and optionally `longLived: [{ kind, path, clients?, headers?, messageWithinMs?, maxRetryMs? }]`.
 */
export function readLoadFile (file: string): LoadFile {
  let text: string
  try {
    text = readInputFile(file)
  } catch (err) {
    throw new RehearseLoadFileError(file, (err as Error).message)
  }
  return parseLoadFile(text, file)
}

export function parseLoadFile (text: string, file = '<load file>'): LoadFile {
  let doc: unknown
  try {
    doc = parseYamlDocument(text)
  } catch (err) {
    const reason = (err as Error).message
    throw new RehearseLoadFileError(file, reason.startsWith('not valid YAML') ? `it is ${reason.replace('not valid YAML', 'not valid YAML or JSON')}` : reason)
  }
  const fail: Fail = (field, expected, got) => { throw new RehearseLoadFileError(file, `${field}: expected ${expected}, got ${describe(got)}`) }
  if (!isObj(doc)) fail('the file', 'an object like { requests: [...] }', doc)
  for (const key of Object.keys(doc as object)) if (key !== 'requests' && key !== 'longLived') fail(key, 'only the fields requests and longLived at the top', key)
  const { requests, longLived } = doc as Record<string, unknown>
  return { requests: resolveRequests(requests, fail), ...(longLived !== undefined && { longLived: resolveLongLived(longLived, fail) }) }
}

/** The `--fast-path` / `--slow-path` shorthands as requests: GET, with the slow one `slowShare` of the load. */
export function shorthandRequests (fastPath: string, slowPath: string | undefined, slowShare: number): ResolvedRequest[] {
  const requests: ResolvedRequest[] = []
  const fastWeight = slowPath === undefined ? 1 : 1 - slowShare
  if (fastWeight > 0) requests.push({ method: 'GET', path: fastPath, headers: {}, weight: fastWeight })
  if (slowPath !== undefined && slowShare > 0) requests.push({ method: 'GET', path: slowPath, headers: {}, weight: slowShare })
  return requests
}
