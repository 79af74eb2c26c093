import createError, { type FastifyErrorConstructor } from '@fastify/error'
import type { Problem } from './problem.js'

// Each class is typed by hand, not inferred: the inferred type names the namespace of
// @fastify/error's `export =`, which TypeScript cannot find under moduleResolution "bundler"
// (TS2503 in every consumer's build), and it would type `.code` as string instead of its literal.
type Coded<Code extends string, Args extends unknown[]> = FastifyErrorConstructor<{ code: Code, statusCode: 500 }, Args>

/** A command-line argument or a render option has the wrong form. */
export const DeployInvalidArgumentError: Coded<'FST_ZERODOWN_DEPLOY_INVALID_ARGUMENT', [option: string, expected: string, got: string]> = createError(
  'FST_ZERODOWN_DEPLOY_INVALID_ARGUMENT',
  'Invalid %s: expected %s, got %s',
  500,
  TypeError
)

/** A values file cannot be read, is not YAML, or is not a map of values. */
export const DeployValuesFileError: Coded<'FST_ZERODOWN_DEPLOY_VALUES_FILE', [file: string, reason: string]> = createError(
  'FST_ZERODOWN_DEPLOY_VALUES_FILE',
  'Cannot use values file %s: %s',
  500
)

const InvalidValues: Coded<'FST_ZERODOWN_DEPLOY_INVALID_VALUES', [count: number, list: string]> = createError(
  'FST_ZERODOWN_DEPLOY_INVALID_VALUES',
  'The values have %d problem(s); nothing was rendered:\n%s',
  500
)

/** The values break the schema, a rollout rule, or render objects Kubernetes would reject. */
export class DeployInvalidValuesError extends InvalidValues {
  /** Every problem found, in the order lint prints them. */
  readonly problems: Problem[]

  constructor (problems: Problem[]) {
    super(problems.length, problems.map((problem) => `  ${problem.path}: ${problem.message}`).join('\n'))
    this.problems = problems
  }
}

/** The --output-dir folder cannot be written, or holds a file zerodown-deploy did not write. */
export const DeployOutputDirError: Coded<'FST_ZERODOWN_DEPLOY_OUTPUT_DIR', [path: string, reason: string]> = createError(
  'FST_ZERODOWN_DEPLOY_OUTPUT_DIR',
  'Cannot write %s: %s',
  500
)
