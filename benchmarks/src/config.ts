import type { InstructionsConfig } from './instructions.js'
import type { MemoryConfig } from './memory.js'
import type { OverheadConfig } from './overhead.js'
import type { ProbeLatencyConfig } from './probe-latency.js'
import type { RolloutConfig } from './rollout.js'
import type { ShutdownLatencyConfig } from './shutdown-latency.js'

export const PARTS = ['overhead', 'probes', 'shutdown', 'rollout', 'memory', 'instructions'] as const
export type Part = typeof PARTS[number]

export interface BenchConfig {
  parts: Part[]
  overhead: OverheadConfig
  probes: ProbeLatencyConfig
  shutdown: ShutdownLatencyConfig
  rollout: RolloutConfig
  memory: MemoryConfig
  instructions: InstructionsConfig
}

/**
 * What `pnpm bench` runs: about two and a half hours on two cores, the overhead alone sixty-five
 * minutes and the instructions about an hour (seven pairs of servers, three pairs of processes each,
 * about 3 min a pair; `--processes 1` for a third of that).
 * 25 pairs per overhead comparison: with 9 or 15, a median's 95% interval spanned 2–4%, too wide
 * to tell a ratio of 0.99 from 1 (25 pairs: 1–2%; the run took 3,946 s).
 */
export const FULL: BenchConfig = {
  parts: [...PARTS],
  overhead: { pairs: 25, duration: 4, warmup: 6, connections: 50, settleHeap: true },
  probes: { duration: 10, calibration: 3, loadFactor: 0.8, connections: 50, pauseMs: 20 },
  shutdown: { runs: 9, drainDelay: 500, inFlight: 8, requestMs: 1000 },
  rollout: {
    runs: 3,
    apps: ['zerodown', 'zerodown-plugins', 'terminus', 'lightship', 'graceful-shutdown', 'naive'],
    propagationDelayMs: 2000,
    load: { rate: 200, connections: 8, slowPath: '/work?ms=300', slowShare: 0.1 }
  },
  memory: { runs: 3, warmup: 3 },
  instructions: { processes: 3, requests: 2000, connections: 10, warmupWindows: 30, windows: 3, idleSeconds: 2, servers: 'all', recount: 0 }
}

/**
 * A tiny run of every part, for the test suite: proves the harness still produces well-formed
 * results, in well under a minute. Its figures mean nothing.
 */
export const SMOKE: BenchConfig = {
  // The instructions part needs valgrind: its own test runs it where valgrind is installed.
  parts: PARTS.filter((part) => part !== 'instructions'),
  overhead: { pairs: 1, duration: 1, warmup: 0, connections: 10, settleHeap: true },
  probes: { duration: 1, calibration: 1, loadFactor: 0.5, connections: 10, pauseMs: 20 },
  shutdown: { runs: 1, drainDelay: 50, inFlight: 2, requestMs: 200 },
  rollout: {
    runs: 1,
    apps: ['naive'],
    propagationDelayMs: 300,
    load: { rate: 50, connections: 2, slowPath: '/work?ms=50', slowShare: 0.1 },
    values: { replicas: 2, rollout: { minReadySeconds: 0 }, shutdown: { preStop: { sleepSeconds: 1 } } },
    warmupMs: 300,
    tailMs: 300
  },
  memory: { runs: 1, warmup: 0.5 },
  instructions: { processes: 1, requests: 100, connections: 2, warmupWindows: 1, windows: 1, idleSeconds: 0.2, servers: 'budget', recount: 0 }
}

/**
 * `--budget`: the instruction counts that judge each plugin against BUDGET: a step of its own in CI, after pnpm test.
 * One pair of processes per plugin and its reference (a plugin over budget is counted again, a new
 * pair, up to twice), warmed with 40,000 requests: six pairs, about 1–1.5 min each under callgrind.
 */
export const BUDGET_RUN: BenchConfig = {
  ...SMOKE,
  parts: ['instructions'],
  instructions: { processes: 1, requests: 2000, connections: 10, warmupWindows: 20, windows: 3, idleSeconds: 2, servers: 'budget', recount: 2 }
}
