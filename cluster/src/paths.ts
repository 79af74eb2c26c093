// Where the fixture finds its recipes and keeps what outlives one cluster (the Kubernetes build).
import { homedir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The package's folder (dist/.. or src/..), where scripts/ and pause/ are. */
export const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url))
export const SCRIPTS_DIR = join(PACKAGE_DIR, 'scripts')

/** The cache outside the clone, shared with the Node.js lines: ZERODOWN_CACHE_DIR, else ~/.cache/zerodown. */
export function cacheDir (): string {
  return process.env.ZERODOWN_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'zerodown')
}
