// One way to resolve a setting: the option, then the environment variable, then the default, with
// where the value came from for the plugin's start log. An empty variable counts as unset.
import { describeValue } from './describe.js'
import type { ContractSetting } from './settings.js'

export type Env = Record<string, string | undefined>

/** A value a plugin uses and where it came from: `option "x"`, `environment variable X` or a default. */
export interface Setting<T> {
  value: T
  source: string
}

/** Makes the plugin's coded error for a malformed variable (its constructor takes these three). */
export type InvalidEnv = new (variable: string, expected: string, got: string) => Error

/** The problem with a variable's text, in the words every layer uses; undefined when it parses. */
export function envProblem (setting: ContractSetting<unknown>, raw: string): string | undefined {
  return setting.form.parse?.(raw) === undefined ? envMessage(setting.env, setting.form.expected, describeValue(raw)) : undefined
}

/** How a malformed variable reads, in the plugins' errors and in the chart's lint. */
export function envMessage (variable: string, expected: string, got: string): string {
  return `environment variable ${variable} must be ${expected}, got ${got}`
}

/** The variable, parsed, or undefined when unset or empty; a malformed one throws the plugin's error. */
export function readEnv<T> (setting: ContractSetting<T>, env: Env, Invalid: InvalidEnv): T | undefined {
  const raw = env[setting.env]
  if (raw === undefined || raw === '') return undefined
  const value = setting.form.parse?.(raw)
  if (value === undefined) throw new Invalid(setting.env, setting.form.expected, describeValue(raw))
  return value
}

/**
 * The option when given (already checked against the setting's form), else the variable, else
 * `fallback` (the setting's default when not given).
 */
export function resolveSetting<T> (setting: ContractSetting<T>, given: T | undefined, env: Env, Invalid: InvalidEnv,
  fallback: Setting<T> = { value: setting.default as T, source: 'default' }): Setting<T> {
  if (given !== undefined) return { value: given, source: `option "${setting.plugin?.option ?? setting.env}"` }
  const value = readEnv(setting, env, Invalid)
  return value === undefined ? fallback : { value, source: `environment variable ${setting.env}` }
}
