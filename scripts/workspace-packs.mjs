// Packs workspace packages the way `pnpm publish` would (workspace:* resolved to versions), so checks
// and tests can install exactly what the registry would serve.
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

export const root = resolve(import.meta.dirname, '..')

export const readPackageJson = (dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))

/** Every workspace package by name. */
export function workspacePackages () {
  const dirs = ['packages', 'apps'].flatMap((parent) => {
    const full = join(root, parent)
    return existsSync(full) ? readdirSync(full).map((name) => join(full, name)) : []
  }).concat(join(root, 'deploy'))
  return new Map(dirs.filter((dir) => existsSync(join(dir, 'package.json'))).map((dir) => [readPackageJson(dir).name, dir]))
}

/** The package in `dir` and the workspace packages it depends on, by name. */
export function internalClosure (dir, workspace = workspacePackages(), seen = new Map()) {
  const { name, dependencies = {}, peerDependencies = {} } = readPackageJson(dir)
  seen.set(name, dir)
  for (const dep of Object.keys({ ...dependencies, ...peerDependencies })) {
    if (workspace.has(dep) && !seen.has(dep)) internalClosure(workspace.get(dep), workspace, seen)
  }
  return seen
}

/** Packs each package folder into `destination`; returns the tarball paths by package name. */
export function pack (packages, destination) {
  const tarballs = new Map()
  for (const [name, dir] of packages) {
    let out
    try {
      out = execFileSync('pnpm', ['pack', '--pack-destination', destination, '--json'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
    } catch (err) {
      throw new Error(`pnpm pack failed in ${dir}:\n${err.stdout ?? ''}${err.stderr ?? ''}`)
    }
    tarballs.set(name, JSON.parse(out).filename)
  }
  return tarballs
}
