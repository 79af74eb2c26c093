// What production runs: `node dist/server.js`. Reads and validates the environment, then listens.
// SIGTERM and SIGINT are handled by @zerodown/shutdown: drain, close, exit 0.
import { buildApp } from './app.js'
import { ConfigError, readConfig, type DemoConfig } from './config.js'

function fail (message: string): never {
  console.error(message)
  process.exit(1)
}

let config: DemoConfig
try {
  config = readConfig()
} catch (err) {
  if (!(err instanceof ConfigError)) throw err
  fail(`Invalid environment: ${err.message}`)
}

try {
  const app = await buildApp({ workMs: config.workMs, logger: { level: config.logLevel } })
  await app.listen({ port: config.port, host: config.host })
} catch (err) {
  // A coded plugin error (e.g. a malformed ZERODOWN_DRAIN_DELAY_MS) names the variable or option.
  const { code, message } = err as { code?: string, message?: string }
  fail(`Cannot start: ${code !== undefined ? `${code}: ` : ''}${message ?? String(err)}`)
}
