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

/** A resolved fact (from options, environment or a file) cannot be sent safely in a header. */
export const VersionUnsafeValueError = createError<[field: string, source: string, got: string]>(
  'FST_ZERODOWN_VERSION_UNSAFE_VALUE',
  'The %s from %s cannot be sent in an HTTP header: it must be printable ASCII without line breaks or surrounding spaces, got %s',
  500,
  TypeError
)

/** build-info.json exists but cannot be read, is not JSON, or has fields of the wrong type. */
export const VersionBuildInfoError = createError<[file: string, reason: string]>(
  'FST_ZERODOWN_VERSION_BUILD_INFO',
  'Cannot use build info file %s: %s',
  500
)
