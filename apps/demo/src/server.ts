// What production runs: `node dist/server.js`. Reads and validates the environment, then listens.
import { buildApp } from './app.js'
import { ConfigError, readConfig, type DemoConfig } from './config.js'

let config: DemoConfig
try {
  config = readConfig()
} catch (err) {
  if (!(err instanceof ConfigError)) throw err
  console.error(`Invalid environment: ${err.message}`)
  process.exit(1)
}

const app = await buildApp({
  ...(config.appVersion !== undefined && { version: config.appVersion }),
  workMs: config.workMs,
  logger: { level: config.logLevel }
})
await app.listen({ port: config.port, host: config.host })
