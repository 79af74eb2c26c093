import createError, { type FastifyErrorConstructor } from '@fastify/error'

// Each class is typed by hand, not inferred: the inferred type names the namespace of
// @fastify/error's `export =`, which TypeScript cannot find under moduleResolution "bundler"
// (TS2503 in every consumer's build), and it would type `.code` as string instead of its literal.
type Coded<Code extends string, Args extends unknown[]> = FastifyErrorConstructor<{ code: Code, statusCode: 500 }, Args>

/** An option has the wrong type or form. */
export const RehearseInvalidOptionError: Coded<'FST_ZERODOWN_REHEARSE_INVALID_OPTION', [option: string, expected: string, got: string]> = createError(
  'FST_ZERODOWN_REHEARSE_INVALID_OPTION',
  'Invalid @zerodown/rehearse option "%s": expected %s, got %s',
  500,
  TypeError
)

/** The manifest cannot be read, holds no Deployment, or uses something the rehearsal cannot reproduce. */
export const RehearseManifestError: Coded<'FST_ZERODOWN_REHEARSE_MANIFEST', [file: string, reason: string]> = createError(
  'FST_ZERODOWN_REHEARSE_MANIFEST',
  'Cannot rehearse manifest %s: %s',
  500
)

/** The pod command cannot be started at all (not found, not executable). */
export const RehearseCommandError: Coded<'FST_ZERODOWN_REHEARSE_COMMAND', [command: string, reason: string]> = createError(
  'FST_ZERODOWN_REHEARSE_COMMAND',
  'The pod command %s cannot start: %s',
  500
)

/** The load file cannot be read or does not describe requests; the message names the entry and field. */
export const RehearseLoadFileError: Coded<'FST_ZERODOWN_REHEARSE_LOAD_FILE', [file: string, reason: string]> = createError(
  'FST_ZERODOWN_REHEARSE_LOAD_FILE',
  'Invalid load file %s: %s',
  500
)

/** The traffic proxy asked for cannot run here (e.g. `--proxy nginx` without nginx on PATH). */
export const RehearseProxyError: Coded<'FST_ZERODOWN_REHEARSE_PROXY', [proxy: string, reason: string]> = createError(
  'FST_ZERODOWN_REHEARSE_PROXY',
  'Cannot use the proxy %s: %s',
  500
)

/** No container engine (podman, docker) can be used, e.g. none on PATH, or the one asked for is missing. */
export const RehearseRuntimeError: Coded<'FST_ZERODOWN_REHEARSE_RUNTIME', [runtime: string, reason: string]> = createError(
  'FST_ZERODOWN_REHEARSE_RUNTIME',
  'Cannot use the container runtime %s: %s',
  500
)

/** An image given with --image, --old-image or --new-image is not on this machine (the rehearsal never pulls). */
export const RehearseImageError: Coded<'FST_ZERODOWN_REHEARSE_IMAGE', [image: string, reason: string]> = createError(
  'FST_ZERODOWN_REHEARSE_IMAGE',
  'Cannot rehearse the image %s: %s',
  500
)

/** --cluster: the client library is missing, the kubeconfig cannot be read, or the cluster refuses a step. */
export const RehearseClusterError: Coded<'FST_ZERODOWN_REHEARSE_CLUSTER', [cluster: string, reason: string]> = createError(
  'FST_ZERODOWN_REHEARSE_CLUSTER',
  'Cannot rehearse on the cluster %s: %s',
  500
)

/** Called with the field (`requests[2].expect`), the expected form and what was found; never returns. */
export type Fail = (field: string, expected: string, got: unknown) => never
