// Checks values against values.schema.json and words each error with the value's path.
import { readFileSync } from 'node:fs'
import { Ajv, type ErrorObject } from 'ajv'
import type { Problem } from './problem.js'

type Schema = Record<string, unknown>

/** The chart's JSON schema for its values (JSON Schema draft-07, like Helm's values.schema.json). */
export function valuesSchema (): Schema {
  return JSON.parse(readFileSync(new URL('../values.schema.json', import.meta.url), 'utf8')) as Schema
}

let compiled: ReturnType<Ajv['compile']> | undefined

function validator (): ReturnType<Ajv['compile']> {
  if (compiled === undefined) {
    const ajv = new Ajv({ allErrors: true, verbose: true, strict: true })
    // The message to print when a value fails the schema it sits on, instead of the sub-errors.
    ajv.addKeyword({ keyword: 'x-error', schemaType: 'string' })
    compiled = ajv.compile(valuesSchema())
  }
  return compiled
}

/** Every schema error in `values`, one per value, each naming the value's path. */
export function checkSchema (values: unknown): Problem[] {
  const validate = validator()
  if (validate(values)) return []
  // A bad map key is reported once, by propertyNames, not again by the pattern it failed.
  const errors = (validate.errors ?? []).filter((error) => error.propertyName === undefined || error.keyword === 'propertyNames')
  // A value whose schema carries x-error gets that one message; its sub-errors are dropped.
  const worded = new Map<string, string>()
  for (const error of errors) {
    const custom = (error.parentSchema as Schema | undefined)?.['x-error']
    if (typeof custom === 'string' && !worded.has(error.instancePath)) worded.set(error.instancePath, custom)
  }
  const problems: Problem[] = []
  const seen = new Set<string>()
  for (const error of errors) {
    const owner = [...worded.keys()].find((path) => error.instancePath === path || error.instancePath.startsWith(path + '/'))
    const problem: Problem = owner === undefined
      ? { path: valuePath(error.instancePath, extraKey(error)), message: describe(error) }
      : { path: valuePath(owner), message: worded.get(owner) ?? '' }
    const key = `${problem.path}\n${problem.message}`
    if (!seen.has(key)) {
      seen.add(key)
      problems.push(problem)
    }
  }
  return problems
}

function extraKey (error: ErrorObject): string | undefined {
  if (error.keyword === 'additionalProperties') return String(error.params.additionalProperty)
  if (error.keyword === 'propertyNames') return String(error.params.propertyName)
  if (error.keyword === 'required') return String(error.params.missingProperty)
  return undefined
}

function describe (error: ErrorObject): string {
  const schema = error.parentSchema as Schema | undefined
  switch (error.keyword) {
    case 'additionalProperties': {
      const allowed = Object.keys((schema?.properties ?? {}) as Schema)
      return allowed.length > 0 ? `unknown key; the keys here are ${allowed.join(', ')}` : 'unknown key'
    }
    case 'propertyNames':
      return 'is not a valid name: use letters, digits, "_", "-" and ".", not starting with a digit'
    case 'type':
      return `must be ${article(String(error.params.type))}${error.params.type === 'string' ? ' (quote it in YAML, or use --set-string)' : ''}`
    case 'enum':
      return `must be one of ${(error.params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(', ')}`
    case 'minimum':
      return `must be ${String(error.params.limit)} or more`
    case 'maximum':
      return `must be ${String(error.params.limit)} or less`
    case 'minLength':
      return 'must not be empty'
    case 'maxLength':
      return `must be at most ${String(error.params.limit)} characters`
    case 'required':
      return 'is required'
    default:
      return error.message ?? 'is invalid'
  }
}

function article (type: string): string {
  const names: Record<string, string> = {
    integer: 'an integer',
    number: 'a number',
    string: 'a string',
    boolean: 'true or false',
    object: 'a map of keys to values',
    array: 'a list',
    null: 'null'
  }
  return type.split(',').map((one) => names[one] ?? one).join(' or ')
}

/** `/rollout/maxSurge` -> `rollout.maxSurge`; `/container/args/0` -> `container.args[0]`. */
export function valuePath (pointer: string, extra?: string): string {
  const parts = pointer.split('/').slice(1).map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
  if (extra !== undefined) parts.push(extra)
  let path = ''
  for (const part of parts) {
    if (/^[0-9]+$/.test(part)) path += `[${part}]`
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(part)) path += path === '' ? part : `.${part}`
    else path += `[${JSON.stringify(part)}]`
  }
  return path === '' ? '(values)' : path
}
