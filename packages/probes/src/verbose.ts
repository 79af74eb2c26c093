/** `?verbose`, `?verbose=1`, `?verbose=true` ask for details; absent, `0` and `false` do not. */
export function wantsVerbose (value: unknown): boolean {
  if (Array.isArray(value)) value = value[0]
  if (typeof value !== 'string') return false
  return value !== '0' && value.toLowerCase() !== 'false'
}
