#!/usr/bin/env node
// zerodown-build-info: writes build-info.json at build time so a running app can say which build it is.
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { describeValue, forms, SETTINGS, type Form } from '@zerodown/contract'
import { readNearestPackageJson, type BuildInfo } from './build-info.js'

const USAGE = `Usage: zerodown-build-info [--out PATH] [--name NAME] [--version VERSION] [--commit SHA] [--build-time ISO]

Writes build-info.json (name, version, commit, buildTime) for @zerodown/version.
  --out PATH         file to write (default: build-info.json in the current folder)
  --name NAME        default: the nearest package.json's name
  --version VERSION  default: ${SETTINGS.appVersion.env}, then the nearest package.json's version
  --commit SHA       default: ${SETTINGS.gitCommit.env}, then \`git rev-parse HEAD\`, else "unknown"
  --build-time ISO   default: ${SETTINGS.buildTime.env}, then the current time
Each value must be what @zerodown/version accepts: the build time ${forms.isoDate.expected};
the others ${forms.headerText.expected}.
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
  const env = process.env
  const info: Required<BuildInfo> = {
    name: checked(forms.headerText, ['--name', values.name], ['the nearest package.json\'s name', pkg.name]) ?? 'unknown',
    version: checked(SETTINGS.appVersion.form, ['--version', values.version], [`environment variable ${SETTINGS.appVersion.env}`, nonEmpty(env[SETTINGS.appVersion.env])],
      ['the nearest package.json\'s version', pkg.version]) ?? 'unknown',
    commit: checked(SETTINGS.gitCommit.form, ['--commit', values.commit], [`environment variable ${SETTINGS.gitCommit.env}`, nonEmpty(env[SETTINGS.gitCommit.env])],
      ['git rev-parse HEAD', gitCommit(cwd)]) ?? 'unknown',
    buildTime: checked(SETTINGS.buildTime.form, ['--build-time', values['build-time']], [`environment variable ${SETTINGS.buildTime.env}`, nonEmpty(env[SETTINGS.buildTime.env])]) ??
      new Date().toISOString()
  }
  const out = resolve(cwd, values.out ?? 'build-info.json')
  writeFileSync(out, JSON.stringify(info, null, 2) + '\n')
  process.stdout.write(`wrote ${out}: ${info.name}@${info.version} (${info.commit})\n`)
}

/** The first value given, if it has the form the plugin will require; otherwise an error naming where it came from. */
function checked (form: Form<string>, ...candidates: Array<[from: string, value: string | undefined]>): string | undefined {
  for (const [from, value] of candidates) {
    if (value === undefined) continue
    if (!form.is(value)) throw new Error(`${from} must be ${form.expected}, got ${describeValue(value)}`)
    return value
  }
  return undefined
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
