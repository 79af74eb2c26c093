/**
 * A bad value as an error message shows it, the same way in every package: strings quoted, numbers
 * and other primitives as written (`NaN`, `null`, `true`), and objects by kind only, since their
 * contents may be large or secret.
 */
export function describeValue (value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'bigint') return `${value}n`
  if (typeof value === 'function') return 'a function'
  if (Array.isArray(value)) return 'an array'
  if (value !== null && typeof value === 'object') return 'an object'
  return String(value)
}
