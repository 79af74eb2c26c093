// Reading untyped input (YAML, JSON, options): the small checks every reader shares.
import type { Fail } from '../errors.js'

export type Obj = Record<string, unknown>

/** A plain object: not null, not an array. */
export const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v)

// The rules of the HTTP client (undici) and of the WebSocket and SSE clients, checked when the file is
// read: a header or method they refuse would otherwise fail every request, and the rehearsal would
// count those failures against the app.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
// Visible ASCII, Latin-1, spaces and tabs: no CR, LF, NUL or other control character.
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/
// What undici sends as a request target: no space, no control character, nothing past Latin-1.
const PATH = /^\/[\u0021-\u00ff]*$/
/** Headers the client sets or refuses itself. */
const CLIENT_HEADERS: Record<string, string> = {
  'content-length': 'the client sets it from the body',
  'transfer-encoding': 'the client chooses the framing',
  connection: 'the load decides which connections are kept alive',
  'keep-alive': 'the load decides which connections are kept alive',
  upgrade: 'use a longLived entry for WebSocket',
  expect: 'the client does not support 100-continue'
}

/** `path` of a load entry: starts with "/", and only characters a request target may hold. */
export function resolvePath (value: unknown, fail: Fail, at: string): string {
  if (typeof value !== 'string' || !PATH.test(value)) fail(at, 'a path starting with "/", without spaces or control characters (percent-encode others, like /search?q=a%20b)', value)
  return value as string
}

/** `method` of a load entry: an HTTP token; CONNECT opens a tunnel, not a request. */
export function resolveMethod (value: unknown, fail: Fail, at: string): string {
  if (typeof value !== 'string' || !TOKEN.test(value)) fail(at, 'an HTTP method like GET or POST', value)
  const method = (value as string).toUpperCase()
  if (method === 'CONNECT') fail(at, 'a method other than CONNECT, which opens a tunnel rather than sending a request', value)
  return method
}

/** `headers` of a load entry: an object of names to string values, names lower-cased, as the clients accept them. */
export function resolveHeaders (value: unknown, fail: Fail, at: string): Record<string, string> {
  const headers: Record<string, string> = {}
  if (value === undefined) return headers
  if (!isObj(value)) fail(at, 'an object of header names to string values', value)
  for (const [name, v] of Object.entries(value as Obj)) {
    if (!TOKEN.test(name)) fail(at, 'header names of letters, digits and !#$%&\'*+-.^_`|~ only', name)
    const lower = name.toLowerCase()
    const owned = CLIENT_HEADERS[lower]
    if (owned !== undefined) fail(`${at}.${name}`, `no ${lower} header (${owned})`, v)
    if (typeof v !== 'string') fail(`${at}.${name}`, 'a string', v)
    if (!HEADER_VALUE.test(v as string)) fail(`${at}.${name}`, 'a header value without line breaks or control characters', v)
    headers[lower] = v as string
  }
  return headers
}
