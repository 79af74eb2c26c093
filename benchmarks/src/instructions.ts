// 6. Instructions per request: the overhead part's servers, each run under valgrind's callgrind,
// which counts the instructions the process executes. Counted one request at a time, a count does
// not depend on what else the machine does, so it resolves differences far below the ~1% the
// throughput ratios can: in particular whether a plugin executes anything beyond the header it is
// asked to send, which the budget (BUDGET, `--budget`) holds each plugin to. It covers
// the server's own (user-space) instructions only, not the kernel's part of a request, and weighs
// every instruction alike.
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import autocannon from 'autocannon'
import { median, startServerProcess, type ServerProcess } from '@zerodown/testkit'
import { APP_VERSION, OVERHEAD_TARGETS, SETUPS } from './overhead.js'
import { ZERODOWN_SERVER } from './paths.js'
import { summarize, type Summary } from './stats.js'

const run = promisify(execFile)

export interface InstructionsConfig {
  /**
   * Pairs of processes of each server and its reference, one pair after another, the two of a pair
   * at the same time; a server's figure is the median over its processes.
   */
  processes: number
  /** Requests per window; every window is one autocannon run on new connections. */
  requests: number
  /**
   * Connections of the warm-up windows. The counted windows send one request at a time on one
   * connection: with several, how many requests the server finds at each turn of its event loop
   * depends on how fast it runs against the client, and a busy machine made bare Fastify count
   * 58,700–77,100 per request where a quiet one counted 58,100; one at a time, it counts the same
   * within a few tenths of a percent, busy or not.
   */
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
  /**
   * Seconds of each of the three idle windows counted after the counted windows: what the process
   * executes on timers alone, per second (the lowest of the three: the garbage collector may still
   * finish work of the load in the first). That much per second of each window is taken out of the
   * window's count, so that work done on a timer (the probes' pressure sampling, once a second) is
   * not charged to the few requests a server under callgrind answers per second, many times fewer
   * than without it.
   */
  idleSeconds: number
  /** `all`: every server of the overhead part; `budget`: only those the budget judges. */
  servers: 'all' | 'budget'
  /**
   * When a plugin is over BUDGET, count this many more processes of it and of its reference: a
   * process now and then settles a few percent higher (V8 compiled its code otherwise), and the
   * budget judges each server by its lowest process.
   */
  recount: number
}

/**
 * The probes' pressure sampling (@fastify/under-pressure, once a second by default) is work per
 * second, not per request, and under callgrind, which lets a few hundred requests through per second,
 * it weighs many times what it weighs at real rates: counted idle, 0.8–1.1 million instructions per
 * second (2026-12-07), about 5,000 per request at callgrind's pace, enough that a tenth of an error in
 * taking it out moved the probes' figure by 3% on a busy machine. So the counts run with the sampling
 * once an hour, and report that figure instead.
 */
export const PROBES_SAMPLING = 'once a second: 0.8–1.1 million instructions per second, counted idle under callgrind'

/** What each plugin may add to its reference's instructions per request: 1%. */
export const BUDGET = 0.01

export interface InstructionCount {
  name: string
  /** Instructions per request, timer work taken out, for each process one per counted window. */
  processes: number[][]
  /** For each process, the instructions it executed per second while idle. */
  idlePerSecond: number[]
  /** Over the processes, each one's median window. */
  perRequest: Summary
}

/**
 * A server counted side by side with its reference: each process of it at the same time as one of
 * the reference, so that both run under the same load. (Counts still move a few percent with the
 * machine's load, V8 timing its garbage collection by the clock; the two sides of a pair move
 * together.)
 */
export interface PairedCount {
  server: InstructionCount
  reference: InstructionCount
  /** For each pair of processes: server / reference − 1, each side its median window. */
  added: number[]
  /** Whether BUDGET judges it: a plugin alone. */
  judged: boolean
}

export interface InstructionsSetup {
  id: string
  name: string
  pairs: PairedCount[]
}

export interface InstructionsResult {
  config: InstructionsConfig
  /** `valgrind --version`. */
  valgrind: string
  setups: InstructionsSetup[]
}

/** A plugin over BUDGET beyond its reference. */
export interface OverBudget {
  setup: string
  plugin: string
  reference: string
  /** Added instructions per request, as a fraction of the reference's: the pair that added least. */
  added: number
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

/** One window: `config.requests` requests on `connections` connections, every one answered 2xx. */
async function load (server: ServerProcess, config: InstructionsConfig, connections: number): Promise<void> {
  const result = await autocannon({ url: `${server.origin}/`, connections, amount: config.requests })
  /* c8 ignore next 3 -- only when a server fails requests, which none of the counted ones does */
  if (result.non2xx > 0 || result.errors > 0 || result['2xx'] !== config.requests) {
    throw new Error(`${server.origin}/ answered ${result['2xx']} of ${config.requests} requests with 2xx (${result.non2xx} other, ${result.errors} errors)`)
  }
}

/** One process of a server under callgrind: per request in each counted window, timer work taken out. */
async function countProcess (env: Record<string, string>, config: InstructionsConfig, dir: string): Promise<{ windows: number[], idlePerSecond: number }> {
  const server = await startServerProcess({
    command: 'valgrind',
    args: [
      '--tool=callgrind',
      // Not counted until the warm-up is over; faster meanwhile.
      '--instr-atstart=no',
      // V8 writes and rewrites machine code at run time.
      '--smc-check=all-non-file',
      `--callgrind-out-file=${join(dir, 'callgrind.%p')}`,
      // No background threads and no memory reducer: callgrind runs one thread at a time, and both
      // time their work by the clock, which under callgrind runs many times faster than the process.
      // With them, bare Fastify counted up to 112,000 per request on a busy machine; without, 62,000–64,000.
      // And no --expose-gc: the server then collects its garbage once it listens (for the throughput
      // part), after which, with a logger, Fastify + @zerodown/shutdown or @zerodown/probes counted
      // 101,000 per request beside bare Fastify's 66,400, for as long as it ran; without it, 65,200.
      process.execPath, '--single-threaded', '--no-memory-reducer', ZERODOWN_SERVER
    ],
    // Not V8's coverage even when the harness runs under a coverage tool: collecting it changes what is counted.
    env: { ...env, NODE_V8_COVERAGE: undefined },
    // Node.js starts several times slower under valgrind.
    startTimeoutMs: 120_000
  })
  const pid = String(server.child.pid)
  let dumps = 0
  /** Counts what `work` makes the process execute, and how long it took. */
  const counted = async (work: () => Promise<unknown>): Promise<{ total: number, seconds: number }> => {
    await run('callgrind_control', ['--zero', pid])
    const start = performance.now()
    await work()
    const seconds = (performance.now() - start) / 1000
    // callgrind_control returns once the dump is written: callgrind.<pid>.<n>, n counting from 1.
    await run('callgrind_control', ['--dump', pid])
    const file = join(dir, `callgrind.${pid}.${++dumps}`)
    return { total: dumpTotal(readFileSync(file, 'utf8'), file), seconds }
  }
  try {
    for (let w = 0; w < config.warmupWindows; w++) await load(server, config, config.connections)
    await run('callgrind_control', ['--instr=on', pid])
    const windows = []
    for (let w = 0; w < config.windows; w++) windows.push(await counted(() => load(server, config, 1)))
    const idle = []
    for (let w = 0; w < 3; w++) idle.push(await counted(() => sleep(config.idleSeconds * 1000)))
    const idlePerSecond = Math.min(...idle.map(({ total, seconds }) => total / seconds))
    return {
      windows: windows.map(({ total, seconds }) => (total - idlePerSecond * seconds) / config.requests),
      idlePerSecond
    }
  } finally {
    server.signal('SIGKILL')
    await server.exited
  }
}

/** One server of a setup, as each process of it is started. */
interface Server { name: string, env: Record<string, string> }

const BARE: Server = { name: 'bare Fastify', env: { WITH_PLUGINS: '0' } }
const EVERY_REPLY: Server = { name: 'bare Fastify setting the same header on every reply', env: { WITH_PLUGINS: '0', SAME_HEADER: 'every-reply' } }
const IN_ROUTES: Server = { name: 'bare Fastify setting the same header in its routes', env: { WITH_PLUGINS: '0', SAME_HEADER: 'route' } }

/**
 * What is counted, server beside reference: each plugin alone against bare Fastify, or, when it sends
 * the version header, against bare Fastify putting the same header on every reply (judged by the
 * budget); with servers `all`, also the three together and the header itself, both ways.
 */
export function pairsToCount (config: InstructionsConfig): Array<{ server: Server, reference: Server, judged: boolean }> {
  const plugins = OVERHEAD_TARGETS.filter((target) => config.servers === 'all' || target.plugins !== 'all').map((target) => ({
    server: { name: `Fastify + ${target.name}`, env: { WITH_PLUGINS: target.plugins === 'all' ? '1' : target.plugins } },
    reference: target.header ? EVERY_REPLY : BARE,
    judged: target.plugins !== 'all'
  }))
  if (config.servers === 'budget') return plugins
  return [
    { server: IN_ROUTES, reference: BARE, judged: false },
    { server: EVERY_REPLY, reference: BARE, judged: false },
    ...plugins
  ]
}

/** The plugins, alone, that add more than BUDGET to their reference, by the pair that added least. */
export function overBudget (result: InstructionsResult): OverBudget[] {
  const over: OverBudget[] = []
  for (const setup of result.setups) {
    for (const pair of setup.pairs) {
      const added = Math.min(...pair.added)
      const least = pair.added.indexOf(added)
      const [server, reference] = [median(pair.server.processes[least]!), median(pair.reference.processes[least]!)]
      // Compared as a product: 50,500 against 50,000 is 1% exactly, which a quotient misses by 1e-17.
      if (pair.judged && server > reference * (1 + BUDGET)) over.push({ setup: setup.name, plugin: pair.server.name, reference: pair.reference.name, added })
    }
  }
  return over
}

export async function measureInstructions (config: InstructionsConfig, log: (line: string) => void = () => {}): Promise<InstructionsResult> {
  const valgrind = await valgrindVersion()
  const dir = mkdtempSync(join(tmpdir(), 'zerodown-callgrind-'))
  try {
    const setups: InstructionsSetup[] = []
    for (const setup of SETUPS) {
      // Every server loads the three packages, registered or not: loading modules alone moves the counts.
      // The probes sample pressure once an hour here, not once a second: see PROBES_SAMPLING.
      const envOf = (server: Server): Record<string, string> => ({ ...setup.env, ...APP_VERSION, PRELOAD: '1', PRESSURE_SAMPLE_MS: '3600000', ...server.env })
      const countPair = async (pair: PairedCount, servers: [Server, Server]): Promise<void> => {
        const [server, reference] = await Promise.all(servers.map((s) => countProcess(envOf(s), config, dir)))
        for (const [into, counted] of [[pair.server, server!], [pair.reference, reference!]] as const) {
          into.processes.push(counted.windows)
          into.idlePerSecond.push(counted.idlePerSecond)
          into.perRequest = summarize(into.processes.map(median))
        }
        pair.added.push(median(server!.windows) / median(reference!.windows) - 1)
        log(`  ${setup.id}: ${servers[0].name} beside ${servers[1].name}: ${median(server!.windows).toFixed(0)} and ${median(reference!.windows).toFixed(0)} instructions per request (${(100 * pair.added.at(-1)!).toFixed(2)}%)`)
      }
      const pairs: PairedCount[] = []
      for (const { server, reference, judged } of pairsToCount(config)) {
        const empty = (name: string): InstructionCount => ({ name, processes: [], idlePerSecond: [], perRequest: summarize([]) })
        const pair: PairedCount = { server: empty(server.name), reference: empty(reference.name), added: [], judged }
        for (let p = 0; p < config.processes; p++) await countPair(pair, [server, reference])
        // Over budget: counted again, a new pair; the budget takes the pair that added least.
        /* c8 ignore next 4 -- only for a plugin over budget, in CI's budget step (overBudget() is tested) */
        for (let r = 0; r < config.recount && overBudget({ config, valgrind, setups: [{ ...setup, pairs: [pair] }] }).length > 0; r++) {
          log(`  ${setup.id}: ${server.name} over budget, counting it beside ${reference.name} once more`)
          await countPair(pair, [server, reference])
        }
        pairs.push(pair)
      }
      setups.push({ id: setup.id, name: setup.name, pairs })
    }
    return { config, valgrind, setups }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
