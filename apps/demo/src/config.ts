/**
 * The demo's environment, validated before it listens: a bad value names the variable and the form.
 * APP_VERSION is read and checked by @zerodown/version itself (its documented precedence).
 */
export interface DemoConfig {
  port: number
  host: string
  logLevel: string
  drainDelayMs: number | undefined
  shutdownTimeoutMs: number | undefined
  probePort: number | undefined
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

  const config: DemoConfig = {
    port: integer(env, 'PORT', 0, 65535) ?? 8080,
    host,
    logLevel,
    drainDelayMs: integer(env, 'DRAIN_DELAY_MS', 0, 600_000),
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 1, 600_000),
    probePort: integer(env, 'PROBE_PORT', 0, 65535),
    workMs: integer(env, 'WORK_MS', 0, MAX_WORK_MS) ?? 100
  }
  if (config.probePort !== undefined && config.probePort !== 0 && config.probePort === config.port) {
    throw new ConfigError('PROBE_PORT', `a port other than PORT (${config.port})`, String(config.probePort))
  }
  return config
}
