// Reading untyped input (YAML, JSON, options): the small checks every reader shares.
import type { Fail } from '../errors.js'

export type Obj = Record<string, unknown>

/** A plain object: not null, not an array. */
export const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v)

/** `headers` of a load entry: an object of names to string values, names lower-cased. */
export function resolveHeaders (value: unknown, fail: Fail, at: string): Record<string, string> {
  const headers: Record<string, string> = {}
  if (value === undefined) return headers
  if (!isObj(value)) fail(at, 'an object of header names to string values', value)
  for (const [name, v] of Object.entries(value as Obj)) {
    if (typeof v !== 'string') fail(`${at}.${name}`, 'a string', v)
    headers[name.toLowerCase()] = v as string
  }
  return headers
}
