import createError from '@fastify/error'

/** An option passed to the plugin has the wrong type or form. */
export const VersionInvalidOptionError = createError<[option: string, expected: string, got: string]>(
  'FST_ZERODOWN_VERSION_INVALID_OPTION',
  'Invalid @zerodown/version option "%s": expected %s, got %s',
  500,
  TypeError
)

/** A contract environment variable (`ZERODOWN_APP_VERSION`, `ZERODOWN_GIT_COMMIT`, `ZERODOWN_BUILD_TIME`, `HOSTNAME`) is malformed. */
export const VersionInvalidEnvError = createError<[variable: string, expected: string, got: string]>(
  'FST_ZERODOWN_VERSION_INVALID_ENV',
  'Invalid @zerodown/version environment: environment variable %s must be %s, got %s',
  500,
  TypeError
)

/** A fact read from build-info.json or package.json cannot be sent safely in a header, or is not the date it should be. */
export const VersionUnsafeValueError = createError<[field: string, source: string, got: string]>(
  'FST_ZERODOWN_VERSION_UNSAFE_VALUE',
  'The %s from %s cannot be used: got %s',
  500,
  TypeError
)

/** build-info.json exists but cannot be read, is not JSON, or has fields of the wrong type. */
export const VersionBuildInfoError = createError<[file: string, reason: string]>(
  'FST_ZERODOWN_VERSION_BUILD_INFO',
  'Cannot use build info file %s: %s',
  500
)

/** The version path is a route the app already has, or adds later. */
export const VersionPathTakenError = createError<[path: string]>(
  'FST_ZERODOWN_VERSION_PATH_TAKEN',
  'Invalid @zerodown/version path: %s is also a route of the app; set the option "path" to another, or false for no route',
  500,
  TypeError
)
