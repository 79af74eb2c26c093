#!/usr/bin/env node
// Proves a public package would publish in working order: packs it (and the workspace packages it
// needs) the way `pnpm publish` would, lints the tarball with publint and arethetypeswrong, installs
// the tarballs with npm into a project outside the workspace, then loads the package with `import`
// and `require`, registers it in a real Fastify app and makes a real HTTP request.
//
// Run from a package folder:
//   node ../../scripts/check-package.mjs --request /version      (a Fastify plugin: GET must answer 2xx)
//   node ../../scripts/check-package.mjs --bin zerodown-x        (a CLI: `zerodown-x --help` must exit 0)
//   node ../../scripts/check-package.mjs --request / --status 404  (a plugin without routes: GET must answer 404)
//   node ../../scripts/check-package.mjs --export SETTINGS       (a library: the export must load)
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { internalClosure, pack, readPackageJson, root } from './workspace-packs.mjs'

const { values: args } = parseArgs({
  options: {
    request: { type: 'string', multiple: true, default: [] },
    status: { type: 'string' },
    options: { type: 'string', default: '{}' },
    bin: { type: 'string', multiple: true, default: [] },
    export: { type: 'string', multiple: true, default: [] },
    keep: { type: 'boolean', default: false }
  }
})

const pkgDir = process.cwd()
const pkg = readPackageJson(pkgDir)

function run (cmd, cmdArgs, cwd) {
  try {
    return execFileSync(cmd, cmdArgs, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  } catch (err) {
    throw new Error(`${cmd} ${cmdArgs.join(' ')} failed in ${cwd}:\n${err.stdout ?? ''}${err.stderr ?? ''}`)
  }
}

const work = mkdtempSync(join(tmpdir(), `zerodown-check-${pkg.name.replace(/\W/g, '-')}-`))
try {
  const tarballs = pack(internalClosure(pkgDir), work)
  const tarball = tarballs.get(pkg.name)
  console.log(`packed ${[...tarballs.values()].map((t) => t.replace(work + '/', '')).join(', ')}`)

  run(join(root, 'node_modules/.bin/publint'), ['run', '--strict', tarball], root)
  console.log('publint: ok')
  // ESM-only by design: Node.js >= 22.12 (and 20.19) can require() it, which the require check below proves.
  run(join(root, 'node_modules/.bin/attw'), ['--profile', 'esm-only', tarball], root)
  console.log('arethetypeswrong: ok')

  const project = join(work, 'project')
  run('mkdir', ['-p', project], work)
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, version: '0.0.0' }))
  const fastify = pkg.peerDependencies?.fastify ? [`fastify@${pkg.peerDependencies.fastify}`] : []
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs.values(), ...fastify], project)
  console.log(`installed into ${project}`)

  for (const path of args.request) {
    const check = (load) => `
      const app = Fastify({ logger: false })
      const plugin = mod.default
      if (typeof plugin !== 'function') throw new Error('default export is not a plugin')
      await app.register(plugin, ${args.options})
      const address = await app.listen({ port: 0, host: '127.0.0.1' })
      const res = await fetch(address + ${JSON.stringify(path)})
      await app.close()
      if (${args.status === undefined ? 'res.status >= 300' : `res.status !== ${Number(args.status)}`}) throw new Error('${load}: GET ${path} answered ' + res.status)
      console.log('${load}: GET ${path} ' + res.status)
    `
    writeFileSync(join(project, 'check.mjs'), `import Fastify from 'fastify'\nimport * as mod from '${pkg.name}'\n${check('import')}\nprocess.exit(0)\n`)
    writeFileSync(join(project, 'check.cjs'), `const Fastify = require('fastify')\nconst mod = require('${pkg.name}')\n;(async () => {${check('require')}\nprocess.exit(0)\n})().catch((err) => { console.error(err); process.exit(1) })\n`)
    process.stdout.write(run(process.execPath, ['check.mjs'], project))
    process.stdout.write(run(process.execPath, ['check.cjs'], project))
  }
  for (const name of args.export) {
    const load = (how) => `if (mod[${JSON.stringify(name)}] === undefined) throw new Error('${how}: no export ${name}')\nconsole.log('${how}: ${name} loads')\n`
    writeFileSync(join(project, 'load.mjs'), `import * as mod from '${pkg.name}'\n${load('import')}`)
    writeFileSync(join(project, 'load.cjs'), `const mod = require('${pkg.name}')\n${load('require')}`)
    process.stdout.write(run(process.execPath, ['load.mjs'], project))
    process.stdout.write(run(process.execPath, ['load.cjs'], project))
  }
  for (const bin of args.bin) {
    run(join(project, 'node_modules/.bin', bin), ['--help'], project)
    console.log(`${bin} --help: ok`)
  }
  console.log(`${pkg.name}: would publish in working order`)
} finally {
  if (!args.keep) rmSync(work, { recursive: true, force: true })
}
