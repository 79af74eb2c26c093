import createError, { type FastifyErrorConstructor } from '@fastify/error'

// Each class is typed by hand, not inferred: the inferred type names the namespace of
// @fastify/error's `export =`, which TypeScript cannot find under moduleResolution "bundler"
// (TS2503 in every consumer's build), and it would type `.code` as string instead of its literal.
type Coded<Code extends string, Args extends unknown[]> = FastifyErrorConstructor<{ code: Code, statusCode: 500 }, Args>

/** An option passed to the plugin has the wrong type, form or range. */
export const ProbesInvalidOptionError: Coded<'FST_ZERODOWN_PROBES_INVALID_OPTION', [option: string, expected: string, got: string]> = createError(
  'FST_ZERODOWN_PROBES_INVALID_OPTION',
  'Invalid @zerodown/probes option "%s": expected %s, got %s',
  500,
  TypeError
)

/** A contract environment variable (`ZERODOWN_PROBE_*`) is malformed. */
export const ProbesInvalidEnvError: Coded<'FST_ZERODOWN_PROBES_INVALID_ENV', [variable: string, expected: string, got: string]> = createError(
  'FST_ZERODOWN_PROBES_INVALID_ENV',
  'Invalid @zerodown/probes environment: environment variable %s must be %s, got %s',
  500,
  TypeError
)

/** Two probes were given the same path (by options, environment variables or defaults). */
export const ProbesDuplicatePathError: Coded<'FST_ZERODOWN_PROBES_DUPLICATE_PATH', [first: string, second: string, path: string]> = createError(
  'FST_ZERODOWN_PROBES_DUPLICATE_PATH',
  'Invalid @zerodown/probes paths: %s and %s are both %s; each probe needs a path of its own',
  500,
  TypeError
)

/** A readiness check (from the `checks` option or `app.probes.addCheck()`) is malformed. */
export const ProbesInvalidCheckError: Coded<'FST_ZERODOWN_PROBES_INVALID_CHECK', [where: string, expected: string, got: string]> = createError(
  'FST_ZERODOWN_PROBES_INVALID_CHECK',
  'Invalid @zerodown/probes check %s: expected %s, got %s',
  500,
  TypeError
)

/** A readiness check name is already taken. */
export const ProbesDuplicateCheckError: Coded<'FST_ZERODOWN_PROBES_DUPLICATE_CHECK', [name: string]> = createError(
  'FST_ZERODOWN_PROBES_DUPLICATE_CHECK',
  'A @zerodown/probes check named %s is already registered: check names must be unique',
  500,
  TypeError
)

/** The separate probe port is the port the main server listens on. */
export const ProbesPortConflictError: Coded<'FST_ZERODOWN_PROBES_PORT_CONFLICT', [port: number, source: string]> = createError(
  'FST_ZERODOWN_PROBES_PORT_CONFLICT',
  'Invalid @zerodown/probes port: %d (%s) is the main server\'s port; the probes need a port of their own (e.g. 9000), or leave the probe port unset to serve them on the main port',
  500,
  TypeError
)

/** A probe path is a route the app already has, or adds later. */
export const ProbesPathTakenError: Coded<'FST_ZERODOWN_PROBES_PATH_TAKEN', [path: string, source: string]> = createError(
  'FST_ZERODOWN_PROBES_PATH_TAKEN',
  'Invalid @zerodown/probes path: %s (%s) is also a route of the app; give the probe a path of its own, or the app\'s route another',
  500,
  TypeError
)

/** The separate probe port cannot be bound: another process (or another listener of this one) has it. */
export const ProbesPortInUseError: Coded<'FST_ZERODOWN_PROBES_PORT_IN_USE', [port: number, source: string, host: string]> = createError(
  'FST_ZERODOWN_PROBES_PORT_IN_USE',
  'Cannot serve @zerodown/probes on port %d (%s): it is already in use on host %s; stop what holds it, or give the probes another port. ' +
    'Nothing was bound: without its probes the instance would never be ready, or be restarted by its liveness probe',
  500
)

/** The separate probe listener failed to bind for another reason (a host it cannot bind, a port it may not use). */
export const ProbesListenError: Coded<'FST_ZERODOWN_PROBES_LISTEN', [host: string, port: number, source: string, reason: string]> = createError(
  'FST_ZERODOWN_PROBES_LISTEN',
  'Cannot serve @zerodown/probes on %s port %d (%s): %s. Nothing was bound',
  500
)
