import { ProbesInvalidEnvError } from './errors.js'

export type Env = Record<string, string | undefined>

/** A value the plugin uses and where it came from: `option "x"`, `environment variable X` or a default. */
export interface Setting<T> {
  value: T
  source: string
}

/**
 * Option, then environment variable, then default: the contract's precedence. An empty variable counts
 * as unset; a set one must parse, or `parse` throws a coded error naming it.
 */
export function setting<T> (option: string, given: T | undefined, env: Env, variable: string,
  parse: (variable: string, raw: string) => T, fallback: Setting<T>): Setting<T> {
  if (given !== undefined) return { value: given, source: `option "${option}"` }
  const raw = env[variable]
  if (raw === undefined || raw === '') return fallback
  return { value: parse(variable, raw), source: `environment variable ${variable}` }
}

/** The longest delay setTimeout() keeps: a longer one fires after 1 ms, so a check would time out at once. */
export const MAX_TIMER_MS = 2_147_483_647
/** What a timer's milliseconds must be, in error messages. */
export const TIMER_MS = `a positive number of milliseconds, at most ${MAX_TIMER_MS} (setTimeout's limit, about 24.8 days)`

/** Digits only (no sign, unit, exponent or spaces), from `min` to `max`. */
export function wholeNumber (variable: string, raw: string, min: number, max: number, expected: string): number {
  const value = Number(raw)
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ProbesInvalidEnvError(variable, expected, JSON.stringify(raw))
  }
  return value
}
