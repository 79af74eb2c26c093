import createError, { type FastifyErrorConstructor } from '@fastify/error'

// Each class is typed by hand, not inferred: the inferred type names the namespace of
// @fastify/error's `export =`, which TypeScript cannot find under moduleResolution "bundler"
// (TS2503 in every consumer's build), and it would type `.code` as string instead of its literal.
type Coded<Code extends string, Args extends unknown[]> = FastifyErrorConstructor<{ code: Code, statusCode: 500 }, Args>

/** An option passed to the plugin has the wrong type, form or range. */
export const ShutdownInvalidOptionError: Coded<'FST_ZERODOWN_SHUTDOWN_INVALID_OPTION', [option: string, expected: string, got: string]> = createError(
  'FST_ZERODOWN_SHUTDOWN_INVALID_OPTION',
  'Invalid @zerodown/shutdown option "%s": expected %s, got %s',
  500,
  TypeError
)

/** A contract environment variable (`ZERODOWN_DRAIN_DELAY_MS`, `ZERODOWN_SHUTDOWN_TIMEOUT_MS`) is malformed. */
export const ShutdownInvalidEnvError: Coded<'FST_ZERODOWN_SHUTDOWN_INVALID_ENV', [variable: string, expected: string, got: string]> = createError(
  'FST_ZERODOWN_SHUTDOWN_INVALID_ENV',
  'Invalid @zerodown/shutdown environment: environment variable %s must be %s, got %s',
  500,
  TypeError
)

/** `timeout` is not greater than `drainDelay`, wherever each came from. */
export const ShutdownInvalidTimingError: Coded<'FST_ZERODOWN_SHUTDOWN_INVALID_TIMING', [timeout: number, timeoutSource: string, drainDelay: number, drainDelaySource: string]> = createError(
  'FST_ZERODOWN_SHUTDOWN_INVALID_TIMING',
  'Invalid @zerodown/shutdown timing: timeout %d ms (%s) must be greater than drainDelay %d ms (%s): the timeout is counted from the signal and contains the drain',
  500,
  RangeError
)

/** The plugin is already registered on this instance, or another instance in this process handles the signals. */
export const ShutdownAlreadyRegisteredError: Coded<'FST_ZERODOWN_SHUTDOWN_ALREADY_REGISTERED', [where: string]> = createError(
  'FST_ZERODOWN_SHUTDOWN_ALREADY_REGISTERED',
  '@zerodown/shutdown is already registered %s: one registration owns the process signals and the exit; register it once, at the root of the app',
  500
)

/**
 * Another close-with-grace handles a signal this plugin handles (fastify-cli's `fastify start`
 * installs one): at the signal it would close the app at once, cutting the drain.
 */
export const ShutdownOtherHandlerError: Coded<'FST_ZERODOWN_SHUTDOWN_OTHER_HANDLER', [signals: string]> = createError(
  'FST_ZERODOWN_SHUTDOWN_OTHER_HANDLER',
  'Another close-with-grace handles %s in this process (fastify-cli\'s `fastify start` installs one): at the signal it would ' +
    'close the app at once, skipping the drain and cutting requests in flight. Start the app with node and a server file that ' +
    'calls listen(), or register @zerodown/shutdown with exit: false to leave the signals to the other handler (no drain); ' +
    'see "fastify-cli" in the @zerodown/shutdown README',
  500
)

/** `shutdown()` with `exit: false` did not finish within `timeout`. */
export const ShutdownTimeoutError: Coded<'FST_ZERODOWN_SHUTDOWN_TIMEOUT', [timeout: number, pending: string]> = createError(
  'FST_ZERODOWN_SHUTDOWN_TIMEOUT',
  'Shutdown did not finish within timeout (%d ms); still pending: %s',
  500
)
