import { execFileSync } from 'node:child_process'

/** CPUs from a Linux CPU list like "0-3,6". */
export function parseCpuList (list: string): number[] {
  const cpus: number[] = []
  for (const part of list.split(',')) {
    const [from, to = from] = part.trim().split('-').map(Number)
    if (!Number.isInteger(from) || !Number.isInteger(to)) throw new Error(`not a CPU list: ${JSON.stringify(list)}`)
    for (let cpu = from!; cpu <= to!; cpu++) cpus.push(cpu)
  }
  return cpus
}

/** The CPUs a process (and so its threads) may run on, from util-linux' `taskset`; `undefined` without it. */
export function getCpuAffinity (pid: number): number[] | undefined {
  try {
    const out = execFileSync('taskset', ['-cp', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    return parseCpuList(out.slice(out.lastIndexOf(':') + 1))
  } catch {
    return undefined
  }
}

/** Moves every thread of a process onto `cpus`. */
export function setCpuAffinity (pid: number, cpus: number[]): void {
  execFileSync('taskset', ['--all-tasks', '-cp', cpus.join(','), String(pid)], { stdio: 'ignore' })
}
