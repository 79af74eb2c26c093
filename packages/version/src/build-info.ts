import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { VersionBuildInfoError } from './errors.js'

/** What `zerodown-build-info` writes and the plugin reads. Every field is optional when read. */
export interface BuildInfo {
  name?: string
  version?: string
  commit?: string
  buildTime?: string
}

const BUILD_INFO_FIELDS = ['name', 'version', 'commit', 'buildTime'] as const

/**
 * Reads a build-info.json. A missing file is `undefined` unless `required`
 * (the user named the file, so its absence is a mistake worth reporting).
 */
export function readBuildInfo (file: string, required: boolean): BuildInfo | undefined {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT' && !required) return undefined
    throw new VersionBuildInfoError(file, code === 'ENOENT' ? 'the file does not exist' : `it cannot be read (${code ?? 'unknown error'})`)
  }
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch {
    throw new VersionBuildInfoError(file, 'it is not valid JSON')
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new VersionBuildInfoError(file, 'it must hold a JSON object')
  }
  const info: BuildInfo = {}
  for (const field of BUILD_INFO_FIELDS) {
    const value = (data as Record<string, unknown>)[field]
    if (value === undefined) continue
    if (typeof value !== 'string') {
      throw new VersionBuildInfoError(file, `"${field}" must be a string, got ${JSON.stringify(value)}`)
    }
    info[field] = value
  }
  return info
}

/** The name and version of the nearest package.json at or above `fromDir`. */
export function readNearestPackageJson (fromDir: string): { name?: string, version?: string } | undefined {
  let dir = resolve(fromDir)
  for (;;) {
    const file = join(dir, 'package.json')
    let text: string | undefined
    try {
      text = readFileSync(file, 'utf8')
    } catch {
      // not here: look one folder up
    }
    if (text !== undefined) {
      try {
        const pkg = JSON.parse(text) as Record<string, unknown>
        return {
          ...(typeof pkg.name === 'string' && { name: pkg.name }),
          ...(typeof pkg.version === 'string' && { version: pkg.version })
        }
      } catch {
        return undefined
      }
    }
    const parent = dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}
