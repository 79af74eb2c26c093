/**
 * The demo's own environment, validated before it listens: a bad value names the variable and the form.
 * The contract's ZERODOWN_* variables (drain, timeout, probe port and paths, version) are read and
 * checked by the plugins themselves, as in any app that uses them.
 */
export interface DemoConfig {
  port: number
  host: string
  logLevel: string
  workMs: number
}

export class ConfigError extends Error {
  constructor (variable: string, expected: string, got: string) {
    super(`${variable} must be ${expected}, got ${JSON.stringify(got)}`)
    this.name = 'ConfigError'
  }
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
/** Upper bound of simulated work, so /work cannot be used to pin connections for ever. */
export const MAX_WORK_MS = 60_000

type Env = Record<string, string | undefined>

function integer (env: Env, name: string, min: number, max: number): number | undefined {
  const raw = env[name]
  if (raw === undefined || raw === '') return undefined
  const value = Number(raw)
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `an integer from ${min} to ${max}`, raw)
  }
  return value
}

export function readConfig (env: Env = process.env): DemoConfig {
  const logLevel = env.LOG_LEVEL === undefined || env.LOG_LEVEL === '' ? 'info' : env.LOG_LEVEL
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `one of ${LOG_LEVELS.join(', ')}`, logLevel)
  }
  const host = env.HOST === undefined || env.HOST === '' ? '0.0.0.0' : env.HOST
  if (/\s/.test(host)) throw new ConfigError('HOST', 'an address or host name without spaces', host)

  return {
    port: integer(env, 'PORT', 0, 65535) ?? 8080,
    host,
    logLevel,
    workMs: integer(env, 'WORK_MS', 0, MAX_WORK_MS) ?? 100
  }
}
