// The type-consumer matrix: a project outside the workspace imports every public entry point of
// every public package, registers the plugins, and holds each coded error's `.code` to its literal,
// compiled with TypeScript 5.9 and the current major, under moduleResolution node16, nodenext and
// bundler, as ESM and (where Node.js can require ESM) as CommonJS, with skipLibCheck false.
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { test } from 'tap'

const root = fileURLToPath(new URL('../..', import.meta.url))
const require = createRequire(import.meta.url)
const PACKAGES: Record<string, string> = {
  '@zerodown/contract': 'packages/contract',
  '@zerodown/shutdown': 'packages/shutdown',
  '@zerodown/probes': 'packages/probes',
  '@zerodown/version': 'packages/version',
  '@zerodown/deploy': 'deploy',
  '@zerodown/rehearse': 'packages/rehearse'
}
const COMPILERS: Record<string, string> = {
  'TypeScript 5.9': join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc'),
  'TypeScript 7': join(dirname(require.resolve('typescript-7/package.json')), 'bin', 'tsc')
}

interface EntryPoint {
  /** What a consumer imports: `@zerodown/deploy`, `@zerodown/deploy/rollout`, ... */
  specifier: string
  /** The built file it resolves to. */
  file: string
}

/** Each package's code entry points, from its exports map. */
function entryPoints (): EntryPoint[] {
  return Object.entries(PACKAGES).flatMap(([name, dir]) => {
    const exports = (JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as { exports: Record<string, { default: string } | string> }).exports
    return Object.entries(exports).flatMap(([key, target]) => typeof target === 'string'
      ? []
      : [{ specifier: key === '.' ? name : `${name}/${key.slice(2)}`, file: join(root, dir, target.default) }])
  })
}

/** Every coded error class an entry point exports, with the code an instance carries at run time. */
async function codedErrors ({ file }: EntryPoint): Promise<Array<[name: string, code: string]>> {
  const module = await import(pathToFileURL(file).href) as Record<string, unknown>
  return Object.entries(module).flatMap(([name, value]) => {
    if (typeof value !== 'function' || !name.endsWith('Error')) return []
    try {
      // One argument that every class takes: a list of problems, or a value its message prints.
      const code = (Reflect.construct(value, [[]]) as { code?: unknown }).code
      return typeof code === 'string' && code.startsWith('FST_') ? [[name, code] as [string, string]] : []
    } catch {
      return []
    }
  })
}

async function consumerSource (): Promise<string> {
  const entries = entryPoints()
  const lines = [
    "import Fastify from 'fastify'",
    ...entries.map((entry, i) => `import * as m${i} from '${entry.specifier}'`),
    '',
    'type IsLiteral<T> = string extends T ? false : true',
    'export async function main (): Promise<void> {',
    '  const app = Fastify()',
    `  await app.register(m${entries.findIndex((entry) => entry.specifier === '@zerodown/shutdown')}.default, { drainDelay: 0 })`,
    `  await app.register(m${entries.findIndex((entry) => entry.specifier === '@zerodown/probes')}.default, { checks: [{ name: 'db', check: async () => true }] })`,
    `  await app.register(m${entries.findIndex((entry) => entry.specifier === '@zerodown/version')}.default)`,
    '  await app.close()',
    '}'
  ]
  for (const [i, entry] of entries.entries()) {
    for (const [name, code] of await codedErrors(entry)) {
      lines.push(`export const ${name}${i}: InstanceType<typeof m${i}.${name}>['code'] = '${code}'`)
      lines.push(`export const ${name}${i}IsLiteral: IsLiteral<InstanceType<typeof m${i}.${name}>['code']> = true`)
    }
  }
  return lines.join('\n') + '\n'
}

/** A project outside the workspace whose node_modules hold the packages as published (their dist and exports). */
function project (dir: string): void {
  const modules = join(dir, 'node_modules')
  mkdirSync(join(modules, '@zerodown'), { recursive: true })
  mkdirSync(join(modules, '@types'), { recursive: true })
  for (const [name, pkgDir] of Object.entries(PACKAGES)) symlinkSync(join(root, pkgDir), join(modules, name))
  symlinkSync(realpathSync(join(root, 'packages/version/node_modules/fastify')), join(modules, 'fastify'))
  symlinkSync(dirname(require.resolve('@types/node/package.json')), join(modules, '@types/node'))
}

const RESOLUTIONS = [
  { moduleResolution: 'node16', module: 'node16', cjs: false },
  { moduleResolution: 'nodenext', module: 'nodenext', cjs: true },
  { moduleResolution: 'bundler', module: 'esnext', cjs: false }
]

test('every public entry point compiles for every mainstream TypeScript setup, with each error code typed as its literal', async (t) => {
  const source = await consumerSource()
  t.match(source, /FST_ZERODOWN_DEPLOY_VALUES_FILE/, 'the consumer checks the coded errors it found')
  for (const [compiler, tsc] of Object.entries(COMPILERS)) {
    for (const { moduleResolution, module, cjs } of RESOLUTIONS) {
      for (const kind of cjs ? ['ESM', 'CommonJS'] : ['ESM']) {
        const dir = t.testdir({})
        project(dir)
        writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: kind === 'ESM' ? 'module' : 'commonjs' }))
        // A CommonJS consumer requires the ESM-only packages, as Node.js 20.19 and later can.
        const file = kind === 'ESM' ? 'index.ts' : 'index.cts'
        const code = kind === 'ESM'
          ? source
          : source.replace(/^import \* as (m\d+) from '([^']+)'$/gm, "import $1 = require('$2')").replace("import Fastify from 'fastify'", "import Fastify = require('fastify')")
        writeFileSync(join(dir, file), code)
        writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
          compilerOptions: { target: 'es2022', module, moduleResolution, strict: true, noEmit: true, skipLibCheck: false, types: ['node'] },
          files: [file]
        }))
        // Without tap's loaders, which tap puts back into NODE_OPTIONS of every child it sees start:
        // TypeScript 7's tsc is ESM that they cannot require. env(1) clears them for the compiler.
        const result = spawnSync('env', ['-u', 'NODE_OPTIONS', process.execPath, tsc, '-p', dir], { encoding: 'utf8', timeout: 300_000 })
        t.equal(result.status, 0, `${compiler}, ${moduleResolution}, ${kind}:\n${result.stdout}${result.stderr}`)
      }
    }
  }
})
