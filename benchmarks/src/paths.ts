// Where the programs the benchmarks start live. Workspace packages are found through their
// package.json, so the paths hold wherever pnpm put them.
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
const packageDir = (name: string): string => dirname(require.resolve(`${name}/package.json`))

/** The benchmarks package itself (this file is in dist/). */
export const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url))
/** The demo's routes: bare, with the three zerodown plugins (WITH_PLUGINS=1) or with one of them (WITH_PLUGINS=shutdown, probes, version). */
export const ZERODOWN_SERVER = join(BENCH_DIR, 'servers', 'zerodown.js')
export const PEER_APPS = {
  terminus: join(BENCH_DIR, 'peers', 'terminus.js'),
  lightship: join(BENCH_DIR, 'peers', 'lightship.js'),
  gracefulShutdown: join(BENCH_DIR, 'peers', 'graceful-shutdown.js')
}

export const demoServer = (): string => join(packageDir('@zerodown/demo'), 'dist', 'server.js')
/** The naive baseline that @zerodown/rehearse ships: no SIGTERM handler, readiness 200 to the end. */
export const naiveBaseline = (): string => join(packageDir('@zerodown/rehearse'), 'dist', 'baseline.js')
/** The rehearsal example values of the deploy chart. */
export const rehearsalValues = (): string => join(packageDir('@zerodown/deploy'), 'examples', 'rehearsal.yaml')
