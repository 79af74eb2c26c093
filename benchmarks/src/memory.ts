// 5. Memory: resident set size of the demo's routes without and with the three plugins, of the
// demo app itself and of the peer apps, each after the same short warm-up load.
import { readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import autocannon from 'autocannon'
import { startServerProcess } from '@zerodown/testkit'
import { demoServer, PEER_APPS, ZERODOWN_SERVER } from './paths.js'
import { summarize, type Summary } from './stats.js'

export interface MemoryConfig {
  runs: number
  /** Seconds of load before reading the RSS. */
  warmup: number
}

export interface MemoryVariant {
  name: string
  /** Once started, before any request. */
  idleMiB: number[]
  idle: Summary
  /** After the warm-up load. */
  rssMiB: number[]
  summary: Summary
}

export interface MemoryResult {
  config: MemoryConfig
  variants: MemoryVariant[]
  /** Median RSS with the plugins minus without, MiB, idle and after load. */
  pluginsCostIdleMiB: number
  pluginsCostMiB: number
}

interface Program { name: string, args: string[], env: Record<string, string> }

export function memoryPrograms (): Program[] {
  const app = { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' }
  return [
    { name: 'fastify, demo routes', args: [ZERODOWN_SERVER], env: { WITH_PLUGINS: '0' } },
    { name: 'fastify + shutdown + probes + version', args: [ZERODOWN_SERVER], env: { WITH_PLUGINS: '1' } },
    { name: 'demo app', args: [demoServer()], env: app },
    { name: '@godaddy/terminus app', args: [PEER_APPS.terminus], env: app },
    { name: 'lightship app', args: [PEER_APPS.lightship], env: app },
    { name: 'fastify-graceful-shutdown app', args: [PEER_APPS.gracefulShutdown], env: app }
  ]
}

/** VmRSS of a process, MiB, from /proc (Linux). */
function rssMiB (pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))
  if (line === undefined) throw new Error(`no VmRSS in /proc/${pid}/status`)
  return Number(line.replace(/\D+/g, '')) / 1024
}

async function measure (program: Program, warmup: number): Promise<{ idle: number, loaded: number }> {
  const server = await startServerProcess({ args: program.args, env: program.env })
  try {
    await sleep(500)
    const idle = rssMiB(server.child.pid!)
    const result = await autocannon({ url: `${server.origin}/`, connections: 10, duration: warmup })
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`${program.name}: ${result.non2xx} non-2xx, ${result.errors} errors`)
    await sleep(300)
    return { idle, loaded: rssMiB(server.child.pid!) }
  } finally {
    server.signal('SIGKILL')
    await server.exited
  }
}

export async function measureMemory (config: MemoryConfig): Promise<MemoryResult> {
  const programs = memoryPrograms()
  const idle = new Map<string, number[]>(programs.map((p) => [p.name, []]))
  const loaded = new Map<string, number[]>(programs.map((p) => [p.name, []]))
  // Round-robin, so drift over the run falls on every program alike.
  for (let i = 0; i < config.runs; i++) {
    for (const program of programs) {
      const sample = await measure(program, config.warmup)
      idle.get(program.name)!.push(sample.idle)
      loaded.get(program.name)!.push(sample.loaded)
    }
  }
  const variants = programs.map((p): MemoryVariant => ({
    name: p.name,
    idleMiB: idle.get(p.name)!,
    idle: summarize(idle.get(p.name)!),
    rssMiB: loaded.get(p.name)!,
    summary: summarize(loaded.get(p.name)!)
  }))
  const [bare, plugins] = [variants[0]!, variants[1]!]
  return {
    config,
    variants,
    pluginsCostIdleMiB: plugins.idle.median - bare.idle.median,
    pluginsCostMiB: plugins.summary.median - bare.summary.median
  }
}
