import { readFileSync } from 'node:fs'
import { availableParallelism, cpus, loadavg, platform, release, totalmem } from 'node:os'

export interface Machine {
  cpuModel: string
  /** What `nproc` prints: the cores this process may use. */
  nproc: number
  node: string
  os: string
  memoryGiB: number
  /** 1, 5 and 15 minute load averages, before and after the run and at the end of each part: other work on the machine. */
  loadAverage: { before: number[], after?: number[], byPart: Record<string, number[]> }
}

function cpuModel (): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('model name'))
    if (line !== undefined) return line.split(':').slice(1).join(':').trim()
  } catch {}
  return cpus()[0]?.model ?? 'unknown'
}

const round2 = (n: number): number => Math.round(n * 100) / 100

export function describeMachine (): Machine {
  return {
    cpuModel: cpuModel(),
    nproc: availableParallelism(),
    node: process.version,
    os: `${platform()} ${release()}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    loadAverage: { before: loadavg().map(round2), byPart: {} }
  }
}

export function currentLoad (): number[] {
  return loadavg().map(round2)
}
