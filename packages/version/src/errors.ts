import createError, { type FastifyErrorConstructor } from '@fastify/error'

// Each class is typed by hand, not inferred: the inferred type names the namespace of
// @fastify/error's `export =`, which TypeScript cannot find under moduleResolution "bundler"
// (TS2503 in every consumer's build), and it would type `.code` as string instead of its literal.
type Coded<Code extends string, Args extends unknown[]> = FastifyErrorConstructor<{ code: Code, statusCode: 500 }, Args>

/** An option passed to the plugin has the wrong type or form. */
export const VersionInvalidOptionError: Coded<'FST_ZERODOWN_VERSION_INVALID_OPTION', [option: string, expected: string, got: string]> = createError(
  'FST_ZERODOWN_VERSION_INVALID_OPTION',
  'Invalid @zerodown/version option "%s": expected %s, got %s',
  500,
  TypeError
)

/** A contract environment variable (`ZERODOWN_APP_VERSION`, `ZERODOWN_GIT_COMMIT`, `ZERODOWN_BUILD_TIME`, `HOSTNAME`) is malformed. */
export const VersionInvalidEnvError: Coded<'FST_ZERODOWN_VERSION_INVALID_ENV', [variable: string, expected: string, got: string]> = createError(
  'FST_ZERODOWN_VERSION_INVALID_ENV',
  'Invalid @zerodown/version environment: environment variable %s must be %s, got %s',
  500,
  TypeError
)

/** A fact read from build-info.json or package.json cannot be sent safely in a header, or is not the date it should be. */
export const VersionUnsafeValueError: Coded<'FST_ZERODOWN_VERSION_UNSAFE_VALUE', [field: string, source: string, got: string]> = createError(
  'FST_ZERODOWN_VERSION_UNSAFE_VALUE',
  'The %s from %s cannot be used: got %s',
  500,
  TypeError
)

/** build-info.json exists but cannot be read, is not JSON, or has fields of the wrong type. */
export const VersionBuildInfoError: Coded<'FST_ZERODOWN_VERSION_BUILD_INFO', [file: string, reason: string]> = createError(
  'FST_ZERODOWN_VERSION_BUILD_INFO',
  'Cannot use build info file %s: %s',
  500
)

/** The version path is a route the app already has, or adds later. */
export const VersionPathTakenError: Coded<'FST_ZERODOWN_VERSION_PATH_TAKEN', [path: string]> = createError(
  'FST_ZERODOWN_VERSION_PATH_TAKEN',
  'Invalid @zerodown/version path: %s is also a route of the app; set the option "path" to another, or false for no route',
  500,
  TypeError
)
