/**
 * Whether this machine can build and run the demo image: podman, runc and debootstrap, as root on
 * Linux. When they are missing but could be installed here (root and apt-get), that is a failure
 * to fix, not a reason to skip: only a machine where podman cannot be installed skips.
 */
import { execFileSync } from 'node:child_process'

export type Engine =
  | { state: 'ready' }
  | { state: 'installable' | 'unavailable', reason: string }

const TOOLS = ['podman', 'runc', 'debootstrap']

function onPath (command: string): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v "$1"', 'sh', command], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

export function containerEngine (): Engine {
  if (process.platform !== 'linux') {
    return { state: 'unavailable', reason: `the local base image is made with debootstrap on Linux; this is ${process.platform}` }
  }
  if (process.getuid?.() !== 0) {
    return { state: 'unavailable', reason: 'debootstrap and podman as this test uses them need root; run the test as root' }
  }
  const missing = TOOLS.filter((tool) => !onPath(tool))
  if (missing.length === 0) return { state: 'ready' }
  const found = `${missing.join(', ')} not found on PATH`
  return onPath('apt-get')
    ? { state: 'installable', reason: `${found}; install with \`sh scripts/containers/install-podman.sh\` (as root) and rerun` }
    : { state: 'unavailable', reason: `${found}, and no apt-get to install them with` }
}

const engine = containerEngine()

/** The test's `skip`: only where podman cannot be had at all. */
export const engineSkip: string | false = engine.state === 'unavailable' && `no container engine can be had here: ${engine.reason}`

/** Fails the test when podman is missing but installable (a setup to fix, not a reason to skip); true when usable. */
export function engineReady (t: { fail: (message: string) => unknown }): boolean {
  if (engine.state !== 'installable') return true
  t.fail(`podman is installable here but missing: ${engine.reason}`)
  return false
}
