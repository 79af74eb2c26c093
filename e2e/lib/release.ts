// The release as the release workflow runs it, on a scratch copy of the repository: its version
// script (what the "Version Packages" pull request applies), then its publish script, with the
// environment the workflow gives them, pointed at a registry on loopback.
import { execFile } from 'node:child_process'
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { parse } from 'yaml'

export const root = resolve(import.meta.dirname, '../..')
const run = promisify(execFile)

interface Step { uses?: string, with?: Record<string, string>, env?: Record<string, string> }
interface Workflow { env?: Record<string, string>, jobs: Record<string, { env?: Record<string, string>, steps: Step[] }> }

export interface WorkflowRelease {
  /** `version-script` of the changesets action, as argv. */
  version: string[]
  /** `publish-script` of the changesets action, as argv. */
  publish: string[]
  /** The environment the workflow and the job set for every step. */
  env: Record<string, string>
  /** The environment of the changesets step itself. */
  stepEnv: Record<string, string>
  /** The registry actions/setup-node writes into the .npmrc it points NPM_CONFIG_USERCONFIG at. */
  registryUrl: string
}

const argv = (script: string | undefined, what: string): string[] => {
  if (typeof script !== 'string' || script.trim() === '') throw new Error(`release.yml: the changesets step has no ${what}`)
  if (/[|&;<>()$`"'\\]/.test(script)) throw new Error(`release.yml: ${what} "${script}" is not a plain command this test can run as the action does`)
  return script.trim().split(/\s+/)
}

export function readReleaseWorkflow (file = join(root, '.github/workflows/release.yml')): WorkflowRelease {
  const workflow = parse(readFileSync(file, 'utf8')) as Workflow
  const jobs = Object.values(workflow.jobs)
  const job = jobs.find((j) => j.steps.some((s) => s.uses?.startsWith('changesets/action@')))
  if (job === undefined) throw new Error(`${file}: no job uses changesets/action`)
  const step = job.steps.find((s) => s.uses?.startsWith('changesets/action@'))!
  const setupNode = job.steps.find((s) => s.uses?.startsWith('actions/setup-node@'))
  const registryUrl = setupNode?.with?.['registry-url']
  if (registryUrl === undefined) throw new Error(`${file}: setup-node names no registry-url, so the token would go nowhere`)
  return {
    version: argv(step.with?.['version-script'], 'version-script'),
    publish: argv(step.with?.['publish-script'], 'publish-script'),
    env: { ...workflow.env, ...job.env },
    stepEnv: { ...step.env },
    registryUrl
  }
}

// Every workspace package folder, from the globs pnpm reads.
export function workspaceDirs (base: string): string[] {
  const workspace = parse(readFileSync(join(base, 'pnpm-workspace.yaml'), 'utf8')) as { packages: string[] }
  return workspace.packages.flatMap((glob) => glob.endsWith('/*')
    ? readdirSync(join(base, glob.slice(0, -2))).map((name) => join(base, glob.slice(0, -2), name))
    : [join(base, glob)])
    .filter((dir) => existsSync(join(dir, 'package.json')))
}

const readName = (dir: string): string => (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string }).name

// The working tree without installs, caches, tarballs or git. Each package gets a node_modules of
// links: its workspace dependencies to their scratch copies (so pnpm resolves `workspace:` ranges to
// the versions the version script wrote), everything else to what pnpm installed in the repository.
const LEAVE_OUT = new Set(['node_modules', '.git', '.turbo', '.tap', 'coverage'])
export function scratchCopy (): string {
  const dir = mkdtempSync(join(tmpdir(), 'zerodown-release-'))
  cpSync(root, dir, { recursive: true, filter: (src) => !LEAVE_OUT.has(src.split('/').pop()!) && !src.endsWith('.tgz') })
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'))
  // Turbo's local cache: the release's build replays what this repository's build already made
  // (the hashes are of contents, not paths), as a release job with a warm cache would.
  if (existsSync(join(root, '.turbo/cache'))) cpSync(join(root, '.turbo/cache'), join(dir, '.turbo/cache'), { recursive: true })
  const scratchByName = new Map(workspaceDirs(dir).map((pkgDir) => [readName(pkgDir), pkgDir]))
  for (const pkgDir of scratchByName.values()) {
    const installed = join(root, pkgDir.slice(dir.length), 'node_modules')
    if (!existsSync(installed)) continue
    const linkAll = (from: string, to: string, prefix: string): void => {
      mkdirSync(to, { recursive: true })
      for (const entry of readdirSync(from)) {
        const name = prefix + entry
        if (entry.startsWith('@') && lstatSync(join(from, entry)).isDirectory()) {
          linkAll(join(from, entry), join(to, entry), `${entry}/`)
          continue
        }
        symlinkSync(scratchByName.get(name) ?? join(from, entry), join(to, entry))
      }
    }
    linkAll(installed, join(pkgDir, 'node_modules'), '')
  }
  return dir
}

/**
 * This process's environment without what npm or pnpm put there for the script that started it
 * (npm_config_registry, npm_config_userconfig, ...): a CI job has none of them, and pnpm would
 * prefer them to the .npmrc a step writes.
 */
export function cleanEnv (env: Record<string, string> = {}): Record<string, string> {
  const inherited = Object.entries(process.env).filter(([key, value]) => value !== undefined && !/^p?npm_/i.test(key))
  return { ...Object.fromEntries(inherited) as Record<string, string>, ...env }
}

export interface Ran { stdout: string, stderr: string }
export async function runIn (cwd: string, [file, ...args]: string[], env: Record<string, string>): Promise<Ran> {
  try {
    return await run(file!, args, { cwd, env: cleanEnv(env), maxBuffer: 64 * 1024 * 1024, timeout: 300_000 })
  } catch (err) {
    const e = err as { stdout?: string, stderr?: string, message: string }
    throw new Error(`${[file, ...args].join(' ')} failed in ${cwd}: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`)
  }
}

export const removeScratch = (dir: string): void => rmSync(dir, { recursive: true, force: true })
