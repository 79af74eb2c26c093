// 6. Instructions per request: the overhead part's servers, each run under valgrind's callgrind,
// which counts the instructions the process executes. A count does not depend on what else the
// machine does, so it resolves differences far below the ~1% the throughput ratios can: in
// particular whether a plugin executes anything beyond the header it is asked to send. It covers
// the server's own (user-space) instructions only, not the kernel's part of a request, and weighs
// every instruction alike.
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import autocannon from 'autocannon'
import { median, startServerProcess, type ServerProcess } from '@zerodown/testkit'
import { APP_VERSION, OVERHEAD_TARGETS, SETUPS } from './overhead.js'
import { ZERODOWN_SERVER } from './paths.js'
import { summarize, type Summary } from './stats.js'

const run = promisify(execFile)

export interface InstructionsConfig {
  /** Processes of each server, one after another; the figure is the median over them. */
  processes: number
  /** Requests per window; every window is one autocannon run on new connections. */
  requests: number
  connections: number
  /**
   * Windows of load before counting. Counted too early, a server counts more in its first windows
   * than in its later ones (15–45% when warmed by one long run: V8 still compiles the code that
   * new connections take; 3% after 40,000 requests with a logger). Warmed with 100,000 requests in
   * windows of the counted shape, its counted windows mostly agree within a few tenths of a percent.
   */
  warmupWindows: number
  /** Windows counted in each process; a process's figure is their median. */
  windows: number
}

export interface InstructionCount {
  name: string
  /** Instructions per request, for each process one per counted window. */
  processes: number[][]
  /** Over the processes, each one's median window. */
  perRequest: Summary
}

export interface PluginInstructions extends InstructionCount {
  /** `shutdown`, `probes`, `version`, or `all` for the three together. */
  plugins: string
  /** Whether its responses carry the version header, as the same-header reference's do. */
  header: boolean
}

export interface InstructionsSetup {
  id: string
  name: string
  bare: InstructionCount
  /** Bare Fastify whose handlers set the header @zerodown/version adds. */
  sameHeader: InstructionCount
  plugins: PluginInstructions[]
}

export interface InstructionsResult {
  config: InstructionsConfig
  /** `valgrind --version`. */
  valgrind: string
  setups: InstructionsSetup[]
}

/** valgrind's version, or an error that says what to install: checked before any part runs. */
export async function valgrindVersion (): Promise<string> {
  try {
    await run('callgrind_control', ['--version'])
    return (await run('valgrind', ['--version'])).stdout.trim()
  } catch (err) {
    throw new Error(`the instructions part counts with valgrind's callgrind (valgrind and callgrind_control on the PATH), which cannot be run here (${(err as Error).message}); install valgrind (Debian: apt-get install valgrind; scripts/install-valgrind.sh) or leave the part out with --only`)
  }
}

/** The total of a callgrind dump: every instruction the process executed since the counters were zeroed. */
export function dumpTotal (text: string, file: string): number {
  const match = /^totals:\s+(\d+)/m.exec(text)
  if (match === null) throw new Error(`${file} has no "totals:" line: not a callgrind dump`)
  return Number(match[1])
}

/** One window: `config.requests` requests, every one answered 2xx. */
async function load (server: ServerProcess, config: InstructionsConfig): Promise<void> {
  const result = await autocannon({ url: `${server.origin}/`, connections: config.connections, amount: config.requests })
  if (result.non2xx > 0 || result.errors > 0 || result['2xx'] !== config.requests) {
    throw new Error(`${server.origin}/ answered ${result['2xx']} of ${config.requests} requests with 2xx (${result.non2xx} other, ${result.errors} errors)`)
  }
}

/** One process of a server under callgrind: instructions per request in each counted window. */
async function countProcess (env: Record<string, string>, config: InstructionsConfig, dir: string): Promise<number[]> {
  const server = await startServerProcess({
    command: 'valgrind',
    args: [
      '--tool=callgrind',
      // Not counted until the warm-up is over; faster meanwhile.
      '--instr-atstart=no',
      // V8 writes and rewrites machine code at run time.
      '--smc-check=all-non-file',
      `--callgrind-out-file=${join(dir, 'callgrind.%p')}`,
      process.execPath, '--expose-gc', ZERODOWN_SERVER
    ],
    // Not V8's coverage even when the harness runs under a coverage tool: collecting it changes what is counted.
    env: { ...env, NODE_V8_COVERAGE: undefined },
    // Node.js starts several times slower under valgrind.
    startTimeoutMs: 120_000
  })
  const pid = String(server.child.pid)
  try {
    for (let w = 0; w < config.warmupWindows; w++) await load(server, config)
    await run('callgrind_control', ['--instr=on', pid])
    const windows: number[] = []
    for (let w = 1; w <= config.windows; w++) {
      await run('callgrind_control', ['--zero', pid])
      await load(server, config)
      // callgrind_control returns once the dump is written: callgrind.<pid>.<n>, n counting from 1.
      await run('callgrind_control', ['--dump', pid])
      const file = join(dir, `callgrind.${pid}.${w}`)
      windows.push(dumpTotal(readFileSync(file, 'utf8'), file) / config.requests)
    }
    return windows
  } finally {
    server.signal('SIGKILL')
    await server.exited
  }
}

export async function measureInstructions (config: InstructionsConfig, log: (line: string) => void = () => {}): Promise<InstructionsResult> {
  const valgrind = await valgrindVersion()
  const dir = mkdtempSync(join(tmpdir(), 'zerodown-callgrind-'))
  try {
    const setups: InstructionsSetup[] = []
    for (const setup of SETUPS) {
      const measure = async (name: string, env: Record<string, string>): Promise<InstructionCount> => {
        const processes: number[][] = []
        for (let p = 0; p < config.processes; p++) {
          const windows = await countProcess({ ...setup.env, ...APP_VERSION, ...env }, config, dir)
          log(`  ${setup.id}: ${name}, process ${p + 1}/${config.processes}: ${windows.map((n) => n.toFixed(0)).join(', ')} instructions per request`)
          processes.push(windows)
        }
        return { name, processes, perRequest: summarize(processes.map(median)) }
      }
      const bare = await measure('bare Fastify', { WITH_PLUGINS: '0' })
      const sameHeader = await measure('bare Fastify setting the same header', { WITH_PLUGINS: '0', SAME_HEADER: '1' })
      const plugins: PluginInstructions[] = []
      for (const target of OVERHEAD_TARGETS) {
        const counted = await measure(`Fastify + ${target.name}`, { WITH_PLUGINS: target.plugins === 'all' ? '1' : target.plugins })
        plugins.push({ ...counted, plugins: target.plugins, header: target.header })
      }
      setups.push({ id: setup.id, name: setup.name, bare, sameHeader, plugins })
    }
    return { config, valgrind, setups }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
