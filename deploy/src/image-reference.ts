// The image reference the kubelet parses (the distribution/reference grammar): a value it cannot parse
// passes the API server and then fails every pod with InvalidImageName, so lint refuses it first.
import type { Problem } from './problem.js'
import type { Values } from './values.js'

// distribution/reference: path components of lowercase letters and digits joined by ".", "_", "__" or
// "-"s, after an optional registry host (a DNS name or [IPv6], with a port).
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*'
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])'
const HOST = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`
const REPOSITORY = new RegExp(`^(?:${HOST}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`)
/** The longest repository name the grammar allows. */
const MAX_REPOSITORY_LENGTH = 255
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/

const show = (value: unknown): string => JSON.stringify(value)

function repositoryProblem (repository: string): string | undefined {
  const last = repository.slice(repository.lastIndexOf('/') + 1)
  if (last.includes('@')) return `image.repository ${show(repository)} holds a digest: put it in image.digest, and only the repository here`
  if (last.includes(':')) return `image.repository ${show(repository)} holds a tag: put it in image.tag, and only the repository here (like "ghcr.io/acme/shop")`
  if (repository.length > MAX_REPOSITORY_LENGTH) return `image.repository is ${repository.length} characters, over the ${MAX_REPOSITORY_LENGTH} an image name may have`
  if (!REPOSITORY.test(repository)) {
    return `image.repository ${show(repository)} is not an image repository the kubelet can pull (it would fail with InvalidImageName): path components of lowercase letters and digits joined by ".", "_" or "-", split by "/", after an optional registry host like "ghcr.io" or "localhost:5000"`
  }
  return undefined
}

function tagProblem (tag: string): string | undefined {
  if (tag === '') return 'image.tag is empty: the image would resolve to "latest", ZERODOWN_APP_VERSION would be empty, and nothing would say which version runs; set an immutable version like "1.4.0"'
  if (tag === 'latest') return 'image.tag "latest" is not a version: pods started at different times could run different builds, ZERODOWN_APP_VERSION would say "latest", and a rollback could not go back; set an immutable version like "1.4.0"'
  if (!TAG.test(tag)) return `image.tag ${show(tag)} is not a valid image tag: use letters, digits, "_", "." and "-", at most 128 characters`
  return undefined
}

/** The image's repository and tag, each by the rules the kubelet applies when it pulls. */
export function imageProblems (values: Values): Problem[] {
  const problems: Problem[] = []
  const repository = repositoryProblem(values.image.repository)
  if (repository !== undefined) problems.push({ path: 'image.repository', message: repository })
  const tag = tagProblem(values.image.tag)
  if (tag !== undefined) problems.push({ path: 'image.tag', message: tag })
  return problems
}
