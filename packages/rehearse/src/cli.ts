#!/usr/bin/env node
// zerodown-rehearse: rehearses a Kubernetes rolling update of an app on this machine, under load,
// and exits 0 only when the rollout completed, no request failed and every old pod exited cleanly.
// The flags are in cli/flags.ts, parsed by cli/parse.ts; the watchdog (cli/watchdog.ts) guards orphans.
import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { baselineAnswers, compare, sideBySide } from './cli/compare.js'
import { USAGE } from './cli/help.js'
import { BASELINE, parse, UsageError, type ParsedArgs } from './cli/parse.js'
import { startWatchdog } from './cli/watchdog.js'
import {
  RehearseClusterError, RehearseCommandError, RehearseImageError, RehearseInvalidOptionError, RehearseLoadFileError, RehearseManifestError, RehearseProxyError, RehearseRuntimeError
} from './errors.js'
import { deploymentFromValues } from './manifest/values.js'
import type { RehearseOptions } from './options.js'
import { rehearse } from './rehearsal.js'
import { formatSummary } from './report/format.js'
import { renderHtmlReport } from './report/html.js'
import { createProgressPrinter, type Progress } from './report/progress.js'
import type { RehearsalResult } from './report/summary.js'
import { sweep, type SweepOptions } from './sweep.js'

const REFUSALS = [RehearseClusterError, RehearseInvalidOptionError, RehearseManifestError, RehearseCommandError, RehearseProxyError, RehearseRuntimeError, RehearseImageError]

/** The arguments, or the exit code of a usage error (2) or of --help (0). */
function parseOrExit (): ParsedArgs | number {
  try {
    const parsed = parse(process.argv.slice(2))
    if (parsed.help) process.stdout.write(USAGE)
    return parsed.help ? 0 : parsed
  } catch (err) {
    if (err instanceof RehearseLoadFileError) {
      process.stderr.write(`zerodown-rehearse: ${err.message}\n`)
      return 2
    }
    if (!(err instanceof UsageError)) throw err
    process.stderr.write(`zerodown-rehearse: ${err.message}\n\n${USAGE}`)
    return 2
  }
}

async function main (): Promise<number> {
  const parsed = parseOrExit()
  if (typeof parsed === 'number') return parsed
  const controller = new AbortController()
  let signals = 0
  const onSignal = (): void => {
    // The first Ctrl+C stops the rehearsal cleanly; a second one exits at once (children die with it).
    if (++signals > 1) process.exit(130)
    process.stderr.write('\nzerodown-rehearse: interrupted, stopping every pod...\n')
    controller.abort()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)

  const live = !parsed.json && process.stderr.isTTY === true
  const watchdog = startWatchdog()
  const run = (options: RehearseOptions, sweeping?: SweepOptions): Promise<RehearsalResult> => {
    const all = {
      ...options,
      signal: controller.signal,
      onPodProcess: watchdog.onPodProcess,
      ...(live && { onProgress: createProgressPrinter(process.stderr) as (p: Progress) => void })
    }
    return sweeping === undefined ? rehearse(all) : sweep(all, sweeping)
  }

  // The run's containers carry this label value: the watchdog removes them should the CLI die first.
  const images = parsed.options.cluster === undefined && (parsed.options.image !== undefined || parsed.options.oldImage !== undefined || parsed.options.newImage !== undefined)
  if (images) {
    parsed.options.runId = `${process.pid}-${randomBytes(4).toString('hex')}`
    watchdog.onContainerRun(parsed.options.runId, true)
  }
  try {
    if (parsed.values.length > 0) parsed.options.deployment = await deploymentFromValues(parsed.values, { kubeVersion: parsed.options.kubeVersion, release: parsed.release })
    const result = await run(parsed.options, parsed.sweep)
    if (images) watchdog.onContainerRun(parsed.options.runId!, false)
    if (controller.signal.aborted) {
      process.stderr.write(formatSummary(result))
      return 130
    }
    if (parsed.report !== undefined) writeFileSync(parsed.report, renderHtmlReport(result))
    if (!parsed.compare) {
      process.stdout.write(parsed.json ? JSON.stringify(result, null, 2) + '\n' : formatSummary(result))
      if (parsed.report !== undefined && !parsed.json) process.stdout.write(`report: ${parsed.report}\n`)
      return result.ok ? 0 : 1
    }
    // The baseline answers the same requests with the status and median latency the app showed.
    const env = { ...parsed.options.env, ZERODOWN_BASELINE_ANSWERS: baselineAnswers(result) }
    const baseline = await run({ ...parsed.options, env, command: [process.execPath, BASELINE] })
    if (controller.signal.aborted) return 130
    const comparison = compare(result, baseline)
    if (parsed.json) {
      process.stdout.write(JSON.stringify({ app: result, baseline, comparison }, null, 2) + '\n')
    } else {
      process.stdout.write(`== app\n${formatSummary(result)}\n== naive baseline\n${formatSummary(baseline)}${sideBySide(result, baseline)}\n` +
        `${comparison.verdict.toUpperCase()}: ${comparison.reason}\n`)
    }
    return comparison.verdict === 'pass' ? 0 : 1
  } catch (err) {
    if (REFUSALS.some((refusal) => err instanceof refusal)) {
      process.stderr.write(`zerodown-rehearse: ${(err as Error).message}\n`)
      return 2
    }
    throw err
  }
}

main().then((code) => { process.exitCode = code }, (err: unknown) => {
  process.stderr.write(`zerodown-rehearse: ${err instanceof Error ? err.stack : String(err)}\n`)
  process.exitCode = 1
})
