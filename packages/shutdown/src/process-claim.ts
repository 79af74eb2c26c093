import { ShutdownAlreadyRegisteredError } from './errors.js'

// On globalThis, so that two copies of the package (ESM and CommonJS, or two versions) see each other.
const CLAIM = Symbol.for('@zerodown/shutdown.process')

/**
 * Only one registration may own the process signals and the exit: two would each drain and race to
 * process.exit(). Returns the release function.
 */
export function claimProcess (): () => void {
  const holder = globalThis as Record<symbol, unknown>
  if (holder[CLAIM] !== undefined) {
    throw new ShutdownAlreadyRegisteredError('in this process (another Fastify instance already handles its signals)')
  }
  const token = Symbol('claim')
  holder[CLAIM] = token
  return () => {
    if (holder[CLAIM] === token) delete holder[CLAIM]
  }
}
