import createError from '@fastify/error'
import type { Problem } from './problem.js'

/** A command-line argument or a render option has the wrong form. */
export const DeployInvalidArgumentError = createError<[option: string, expected: string, got: string]>(
  'FST_ZERODOWN_DEPLOY_INVALID_ARGUMENT',
  'Invalid %s: expected %s, got %s',
  500,
  TypeError
)

/** A values file cannot be read, is not YAML, or is not a map of values. */
export const DeployValuesFileError = createError<[file: string, reason: string]>(
  'FST_ZERODOWN_DEPLOY_VALUES_FILE',
  'Cannot use values file %s: %s',
  500
)

const InvalidValues = createError<[count: number, list: string]>(
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
export const DeployOutputDirError = createError<[path: string, reason: string]>(
  'FST_ZERODOWN_DEPLOY_OUTPUT_DIR',
  'Cannot write %s: %s',
  500
)
