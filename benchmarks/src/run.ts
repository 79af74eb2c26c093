// Runs the parts one after another (never two at once: they would measure each other) and
// collects everything `results.json` holds.
import type { BenchConfig, Part } from './config.js'
import { measureInstructions, type InstructionsResult } from './instructions.js'
import { currentLoad, describeMachine, type Machine } from './machine.js'
import { measureMemory, type MemoryResult } from './memory.js'
import { measureOverhead, type OverheadResult } from './overhead.js'
import { measureProbeLatency, type ProbeLatencyResult } from './probe-latency.js'
import { measureRollouts, type RolloutResult } from './rollout.js'
import { measureShutdownLatency, type ShutdownLatencyResult } from './shutdown-latency.js'

export interface Results {
  startedAt: string
  durationMs: number
  machine: Machine
  config: BenchConfig
  /** When each part started (ISO 8601); parts kept from an earlier run by `--only` keep their time. */
  measuredAt: Partial<Record<Part, string>>
  overhead?: OverheadResult
  probeLatency?: ProbeLatencyResult
  shutdownLatency?: ShutdownLatencyResult
  rollout?: RolloutResult
  memory?: MemoryResult
  instructions?: InstructionsResult
}

export async function runBenchmarks (config: BenchConfig, log: (line: string) => void = () => {}): Promise<Results> {
  const startedAt = new Date()
  const start = performance.now()
  const results: Results = { startedAt: startedAt.toISOString(), durationMs: 0, machine: describeMachine(), config, measuredAt: {} }
  const has = (part: Part): boolean => config.parts.includes(part)
  const step = async <T>(part: Part, fn: () => Promise<T>): Promise<T> => {
    log(`${part}: running (load average ${currentLoad().join(' ')})`)
    results.measuredAt[part] = new Date().toISOString()
    const partStart = performance.now()
    const value = await fn()
    results.machine.loadAverage.byPart[part] = currentLoad()
    log(`${part}: done in ${((performance.now() - partStart) / 1000).toFixed(1)} s`)
    return value
  }
  if (has('overhead')) results.overhead = await step('overhead', () => measureOverhead(config.overhead, log))
  if (has('probes')) results.probeLatency = await step('probes', () => measureProbeLatency(config.probes))
  if (has('shutdown')) results.shutdownLatency = await step('shutdown', () => measureShutdownLatency(config.shutdown))
  if (has('rollout')) {
    results.rollout = await step('rollout', () => measureRollouts(config.rollout, (app, run) => {
      log(`  ${app.name}: ${run.outcome}, ${run.failed} of ${run.requests} failed ${JSON.stringify(run.failures)}, rollout ${run.rolloutMs ?? '-'} ms, old pods ${run.oldPodExits.join(', ')}`)
    }))
  }
  if (has('memory')) results.memory = await step('memory', () => measureMemory(config.memory))
  if (has('instructions')) results.instructions = await step('instructions', () => measureInstructions(config.instructions, log))
  results.machine.loadAverage.after = currentLoad()
  results.durationMs = Math.round(performance.now() - start)
  return results
}
