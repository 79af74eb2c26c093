/** One thing wrong with the values, named by the value's path. */
export interface Problem {
  /** Where: a values path like `rollout.maxSurge`, or `Deployment/my-app spec.replicas` for a rendered object. */
  path: string
  /** What is wrong and why it matters. */
  message: string
}

export function formatProblem (problem: Problem): string {
  return `${problem.path}: ${problem.message}`
}
