import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'

export interface ServerProcessOptions {
  /** Arguments after `node` (or after `command`), e.g. `['fixtures/server.js']`. */
  args: string[]
  /** The program to start; default this Node.js. Another program runs Node.js itself, e.g. valgrind. */
  command?: string
  env?: Record<string, string | undefined>
  cwd?: string
  /** How long to wait for the "listening" log line. Default 30 s: a loaded 2-core CI machine is slow to start node. */
  startTimeoutMs?: number
}

export interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
  /** `performance.now()` when the process exited. */
  at: number
}

/** A real Node.js server in a child process, driven the way Kubernetes drives a container. */
export interface ServerProcess {
  readonly child: ChildProcess
  /** Port from the first "Server listening at http://host:port" log line (Fastify's own). */
  readonly port: number
  readonly origin: string
  /** Every line the process printed on stdout and stderr so far. */
  readonly lines: string[]
  /** stdout lines that parsed as JSON (pino logs). */
  logs (): Array<Record<string, unknown>>
  readonly exited: Promise<Exit>
  /** Resolves with the first log whose `msg` contains `text`. */
  waitForLog (text: string, timeoutMs?: number): Promise<Record<string, unknown>>
  signal (name: NodeJS.Signals): void
}

const LISTENING = /listening at https?:\/\/[^\s"]*:(\d+)/

export async function startServerProcess (opts: ServerProcessOptions): Promise<ServerProcess> {
  const child = spawn(opts.command ?? process.execPath, opts.args, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const lines: string[] = []
  const waiters = new Set<(line: string) => void>()
  const onLine = (line: string): void => {
    lines.push(line)
    for (const waiter of waiters) waiter(line)
  }
  createInterface({ input: child.stdout! }).on('line', onLine)
  createInterface({ input: child.stderr! }).on('line', onLine)

  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal, at: performance.now() }))
  })

  const waitForLine = (test: (line: string) => boolean, what: string, timeoutMs: number): Promise<string> =>
    new Promise((resolve, reject) => {
      const found = lines.find(test)
      if (found !== undefined) return resolve(found)
      const done = (): void => { waiters.delete(waiter); clearTimeout(timer) }
      const waiter = (line: string): void => { if (test(line)) { done(); resolve(line) } }
      const timer = setTimeout(() => {
        done()
        reject(new Error(`no ${what} within ${timeoutMs} ms; output:\n${lines.join('\n')}`))
      }, timeoutMs)
      waiters.add(waiter)
      exited.then((exit) => {
        if (!waiters.has(waiter)) return
        done()
        reject(new Error(`process exited (${exit.code ?? exit.signal}) before ${what}; output:\n${lines.join('\n')}`))
      })
    })

  let port: number
  try {
    const line = await waitForLine((l) => LISTENING.test(l), 'listening log line', opts.startTimeoutMs ?? 30_000)
    port = Number(LISTENING.exec(line)![1])
  } catch (err) {
    child.kill('SIGKILL')
    throw err
  }

  const parse = (line: string): Record<string, unknown> | undefined => {
    try {
      const value: unknown = JSON.parse(line)
      return value !== null && typeof value === 'object' ? value as Record<string, unknown> : undefined
    } catch {
      return undefined
    }
  }

  return {
    child,
    port,
    origin: `http://127.0.0.1:${port}`,
    lines,
    logs: () => lines.map(parse).filter((l) => l !== undefined),
    exited,
    async waitForLog (text, timeoutMs = 30_000) {
      const line = await waitForLine((l) => String(parse(l)?.msg ?? '').includes(text), `log "${text}"`, timeoutMs)
      return parse(line)!
    },
    signal (name) { child.kill(name) }
  }
}
