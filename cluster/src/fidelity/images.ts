// The demo's two images, built with the repository's own recipe (scripts/containers/demo-image.sh)
// on the local Node.js base. Fixed build facts, so an unchanged tree builds from podman's layer cache.
import { join } from 'node:path'
import { PACKAGE_DIR } from '../paths.js'
import { run } from '../run.js'

export const REPOSITORY_ROOT = join(PACKAGE_DIR, '..')
export const IMAGE_REPOSITORY = 'localhost/zerodown-fidelity-demo'
export const VERSIONS = ['1.0.0', '2.0.0'] as const

export async function buildDemoImages (): Promise<string[]> {
  const refs: string[] = []
  for (const version of VERSIONS) {
    const out = await run(['bash', join(REPOSITORY_ROOT, 'scripts', 'containers', 'demo-image.sh'), '--version', version,
      '--commit', 'f1de11f1de11f1de11f1de11f1de11f1de11f1de', '--build-time', '2026-12-01T00:00:00Z', '--tag', `${IMAGE_REPOSITORY}:${version}`], { timeoutMs: 30 * 60_000 })
    refs.push(out.trim().split('\n').at(-1)!)
  }
  return refs
}
