#!/usr/bin/env node
// zerodown-build-info: writes build-info.json at build time so a running app can say which build it is.
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { readNearestPackageJson, type BuildInfo } from './build-info.js'

const USAGE = `Usage: zerodown-build-info [--out PATH] [--name NAME] [--version VERSION] [--commit SHA] [--build-time ISO]

Writes build-info.json (name, version, commit, buildTime) for @zerodown/version.
  --out PATH         file to write (default: build-info.json in the current folder)
  --name NAME        default: the nearest package.json's name
  --version VERSION  default: ZERODOWN_APP_VERSION, then the nearest package.json's version
  --commit SHA       default: ZERODOWN_GIT_COMMIT, then \`git rev-parse HEAD\`, else "unknown"
  --build-time ISO   default: ZERODOWN_BUILD_TIME, then the current time
`

function gitCommit (cwd: string): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    return undefined // not a git checkout, or git is not installed (as in most container builds)
  }
}

function main (): void {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      name: { type: 'string' },
      version: { type: 'string' },
      commit: { type: 'string' },
      'build-time': { type: 'string' },
      help: { type: 'boolean', short: 'h' }
    }
  })
  if (values.help === true) {
    process.stdout.write(USAGE)
    return
  }
  const cwd = process.cwd()
  const pkg = readNearestPackageJson(cwd) ?? {}
  const buildTime = values['build-time'] ?? nonEmpty(process.env.ZERODOWN_BUILD_TIME) ?? new Date().toISOString()
  if (Number.isNaN(Date.parse(buildTime))) {
    const from = values['build-time'] !== undefined ? '--build-time' : 'environment variable ZERODOWN_BUILD_TIME'
    throw new Error(`${from} must be an ISO 8601 date, got ${JSON.stringify(buildTime)}`)
  }

  const info: Required<BuildInfo> = {
    name: values.name ?? pkg.name ?? 'unknown',
    version: values.version ?? nonEmpty(process.env.ZERODOWN_APP_VERSION) ?? pkg.version ?? 'unknown',
    commit: values.commit ?? nonEmpty(process.env.ZERODOWN_GIT_COMMIT) ?? gitCommit(cwd) ?? 'unknown',
    buildTime
  }
  const out = resolve(cwd, values.out ?? 'build-info.json')
  writeFileSync(out, JSON.stringify(info, null, 2) + '\n')
  process.stdout.write(`wrote ${out}: ${info.name}@${info.version} (${info.commit})\n`)
}

function nonEmpty (value: string | undefined): string | undefined {
  return value === '' ? undefined : value
}

try {
  main()
} catch (err) {
  process.stderr.write(`zerodown-build-info: ${(err as Error).message}\n\n${USAGE}`)
  process.exitCode = 1
}
