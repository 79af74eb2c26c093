#!/usr/bin/env node
// zerodown-deploy: `render` prints or writes the manifests, `lint` prints every problem. Shaped like `helm template`.
import { parseArgs } from 'node:util'
import { collectOverrides } from './inputs.js'
import { notes } from './notes.js'
import { toYaml, writeOutputDir } from './output.js'
import { formatProblem } from './problem.js'

const USAGE = `Usage: zerodown-deploy <render|lint> [RELEASE] [options]

  render   print the manifests as multi-document YAML, or write them with --output-dir
  lint     print every problem with the values; exit 1 if there is one

Options:
  -f, --values FILE       a values file; repeat it, later files win
      --set KEY=VALUE     set a value (dotted key, e.g. rollout.maxSurge=25%); repeat it, later wins
      --set-string K=V    like --set, but the value stays a string
  -n, --namespace NS      set metadata.namespace on every object
      --kube-version V    render for this Kubernetes (e.g. 1.20, v1.29.4): the preStop form, API
                          versions and fields it knows; lint refuses what it lacks (default: current)
      --output-dir DIR    render: write one file per object and a kustomization.yaml into DIR
  -h, --help              print this help

RELEASE names the instance (default: the chart name, "zerodown"). Nothing is printed or written
when any problem exists: the problems go to stderr and the exit code is 1.
`

const FILE_ERRORS = new Set(['FST_ZERODOWN_DEPLOY_VALUES_FILE', 'FST_ZERODOWN_DEPLOY_OUTPUT_DIR'])

async function main (argv: string[]): Promise<number> {
  const { values: flags, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      values: { type: 'string', short: 'f', multiple: true },
      set: { type: 'string', multiple: true },
      'set-string': { type: 'string', multiple: true },
      namespace: { type: 'string', short: 'n' },
      'kube-version': { type: 'string' },
      'output-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' }
    }
  })
  if (flags.help === true) {
    process.stdout.write(USAGE)
    return 0
  }
  const [command, release, ...extra] = positionals
  if (command !== 'render' && command !== 'lint') throw new Error(command === undefined ? 'a command is required' : `unknown command ${JSON.stringify(command)}`)
  if (extra.length > 0) throw new Error(`unexpected argument ${JSON.stringify(extra[0])}`)
  if (command === 'lint' && flags['output-dir'] !== undefined) throw new Error('--output-dir only applies to render')

  const overrides = collectOverrides({ files: flags.values, set: flags.set, setString: flags['set-string'] })
  // Loaded only now: compiling the schemas is most of the start-up time, and bad arguments need none of it.
  const { check } = await import('./render.js')
  const { values, objects, problems } = check(overrides, { release, namespace: flags.namespace, kubeVersion: flags['kube-version'] })
  if (problems.length > 0) {
    process.stderr.write(`zerodown-deploy: ${problems.length} problem(s); nothing was ${command === 'lint' ? 'rendered' : 'printed or written'}:\n`)
    for (const problem of problems) process.stderr.write(`  ${formatProblem(problem)}\n`)
    return 1
  }
  for (const note of notes(values)) process.stderr.write(`zerodown-deploy: note: ${note}\n`)
  if (command === 'lint') {
    process.stdout.write(`zerodown-deploy: no problems; ${objects.length} objects pass the rules and the Kubernetes OpenAPI schema\n`)
  } else if (flags['output-dir'] !== undefined) {
    const files = writeOutputDir(flags['output-dir'], objects)
    process.stdout.write(files.map((file) => `wrote ${file}\n`).join(''))
  } else {
    process.stdout.write(toYaml(objects))
  }
  return 0
}

try {
  process.exitCode = await main(process.argv.slice(2))
} catch (err) {
  // A file that cannot be read or written is named by its message; the usage would only bury it.
  const aboutFile = FILE_ERRORS.has((err as { code?: string }).code ?? '')
  process.stderr.write(`zerodown-deploy: ${(err as Error).message}\n${aboutFile ? '' : `\n${USAGE}`}`)
  process.exitCode = 2
}
