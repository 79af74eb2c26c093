// `--only` re-measures some parts: their figures replace the earlier ones, the rest stay as they were.
import { PARTS, type Part } from './config.js'
import type { Results } from './run.js'

const RESULT_KEY = {
  overhead: 'overhead',
  probes: 'probeLatency',
  shutdown: 'shutdownLatency',
  rollout: 'rollout',
  memory: 'memory',
  instructions: 'instructions'
} as const satisfies Record<Part, keyof Results>

const pick = <T extends object>(from: T, keys: Array<keyof T>): Partial<T> =>
  Object.fromEntries(keys.map((key) => [key, from[key]])) as Partial<T>

export function mergeResults (previous: Results, latest: Results): Results {
  const ran = latest.config.parts
  const kept = previous.config.parts.filter((part) => !ran.includes(part))
  return {
    ...latest,
    ...pick(previous, kept.map((part) => RESULT_KEY[part])),
    config: {
      ...previous.config,
      ...pick(latest.config, ran),
      parts: PARTS.filter((part) => ran.includes(part) || kept.includes(part))
    },
    machine: {
      ...latest.machine,
      loadAverage: { ...latest.machine.loadAverage, byPart: { ...previous.machine.loadAverage.byPart, ...latest.machine.loadAverage.byPart } }
    },
    // Results written before parts carried their own time were measured when that run started.
    measuredAt: { ...Object.fromEntries(kept.map((part) => [part, previous.measuredAt?.[part] ?? previous.startedAt])), ...latest.measuredAt }
  }
}
