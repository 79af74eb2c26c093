// `--set key=value` and `--set-string key=value`, parsed the way Helm does for the common cases.
import { DeployInvalidArgumentError } from './errors.js'

/**
 * Turns `rollout.maxSurge=25%` into `{ rollout: { maxSurge: '25%' } }`.
 * Keys are dotted paths (`\.` keeps a dot inside a key, as in annotation names); several
 * assignments may share one flag, separated by commas. Values: integers, `true`, `false` and
 * `null` are typed unless `asString`; `{a,b}` is a list of strings.
 */
export function parseSet (expression: string, asString = false): Record<string, unknown> {
  const result: Record<string, unknown> = {}
  for (const assignment of splitUnescaped(expression, ',', true)) {
    const eq = assignment.indexOf('=')
    if (eq <= 0) {
      throw new DeployInvalidArgumentError(asString ? '--set-string' : '--set', 'key=value', JSON.stringify(expression))
    }
    const path = splitUnescaped(assignment.slice(0, eq), '.', false)
    if (path.some((part) => part === '')) {
      throw new DeployInvalidArgumentError(asString ? '--set-string' : '--set', 'a dotted key like "rollout.maxSurge"', JSON.stringify(assignment))
    }
    assign(result, path, typed(assignment.slice(eq + 1), asString))
  }
  return result
}

function typed (raw: string, asString: boolean): unknown {
  if (raw.startsWith('{') && raw.endsWith('}')) {
    const inner = raw.slice(1, -1)
    return inner === '' ? [] : inner.split(',').map((item) => typed(item, asString))
  }
  if (asString) return raw
  if (raw === 'true') return true
  if (raw === 'false') return false
  if (raw === 'null') return null
  if (/^-?(0|[1-9][0-9]*)$/.test(raw) && Number.isSafeInteger(Number(raw))) return Number(raw)
  return raw
}

function assign (target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target
  for (const [index, key] of path.entries()) {
    if (index === path.length - 1) {
      Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true })
      return
    }
    const child = Object.hasOwn(node, key) ? node[key] : undefined
    const next: Record<string, unknown> = typeof child === 'object' && child !== null && !Array.isArray(child) ? child as Record<string, unknown> : {}
    Object.defineProperty(node, key, { value: next, enumerable: true, writable: true, configurable: true })
    node = next
  }
}

/** Splits on `separator` unless it is escaped with a backslash (or, for commas, inside `{...}`). */
function splitUnescaped (text: string, separator: string, braces: boolean): string[] {
  const parts: string[] = []
  let current = ''
  let depth = 0
  for (let i = 0; i < text.length; i++) {
    const char = text[i]
    if (char === '\\' && text[i + 1] === separator) {
      current += separator
      i++
    } else if (braces && char === '{') {
      depth++
      current += char
    } else if (braces && char === '}') {
      depth--
      current += char
    } else if (char === separator && depth === 0) {
      parts.push(current)
      current = ''
    } else {
      current += char
    }
  }
  parts.push(current)
  return parts
}
