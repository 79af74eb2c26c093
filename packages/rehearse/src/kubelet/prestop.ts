// The preStop hook, as the kubelet runs it (executePreStopHook): a sleep of its own, or a command run
// where the container runs (here: the pod's directory and environment). It is bounded by what is left
// of the grace period; a command that cannot start or exits non-zero is a FailedPreStopHook, and the
// stop signal follows at once (R9).
import { spawn } from 'node:child_process'
import type { PreStopHook } from '../manifest/manifest.js'

export interface PreStopOptions {
  cwd?: string
  env: Record<string, string>
  /** What is left of the grace period. */
  timeoutMs: number
  /** Settles when the container exits: the hook ends with it. */
  containerExited: Promise<void>
  onLine: (line: string) => void
  onProcess?: (pid: number, alive: boolean) => void
  /** Runs an exec command inside the container (`podman exec`) instead of as a process here. */
  inside?: (command: string[]) => { command: string[], env: Record<string, string> }
}

export interface PreStopResult {
  /** False: FailedPreStopHook. */
  ok: boolean
  detail: string
}

export async function runPreStop (hook: PreStopHook, opts: PreStopOptions): Promise<PreStopResult> {
  let timer: NodeJS.Timeout | undefined
  const timedOut = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), opts.timeoutMs) })
  const containerGone = opts.containerExited.then(() => 'exited' as const)
  try {
    if ('sleepSeconds' in hook) {
      const slept = new Promise<'done'>((resolve) => setTimeout(() => resolve('done'), hook.sleepSeconds * 1000).unref())
      const end = await Promise.race([slept, timedOut, containerGone])
      return { ok: true, detail: end === 'done' ? `sleep ${hook.sleepSeconds} s` : end === 'timeout' ? 'sleep cut at the grace period' : 'the container exited during preStop' }
    }
    return await exec(hook.exec, opts, timedOut, containerGone)
  } finally {
    clearTimeout(timer)
  }
}

async function exec (command: string[], opts: PreStopOptions, timedOut: Promise<'timeout'>, containerGone: Promise<'exited'>): Promise<PreStopResult> {
  const shown = `exec ${JSON.stringify(command)}`
  const run = opts.inside?.(command) ?? { command, env: opts.env }
  const [file, ...args] = run.command
  const child = spawn(file!, args, { cwd: opts.cwd, env: run.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  const pid = child.pid
  if (pid !== undefined) opts.onProcess?.(pid, true)
  let last = ''
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.setEncoding('utf8')
    stream.on('data', (chunk: string) => {
      for (const line of chunk.split('\n').filter((l) => l !== '')) {
        last = line
        opts.onLine(line)
      }
    })
  }
  const finished = new Promise<PreStopResult>((resolve) => {
    child.once('error', (err: NodeJS.ErrnoException) => resolve({ ok: false, detail: `FailedPreStopHook: ${shown} cannot start (${err.code ?? err.message})` }))
    child.once('close', (code, signal) => resolve(code === 0
      ? { ok: true, detail: shown }
      : { ok: false, detail: `FailedPreStopHook: ${shown} ${signal !== null ? `ended by ${signal}` : `exited with code ${code}`}${last !== '' ? `: ${last}` : ''}` }))
  })
  const end = await Promise.race([finished, timedOut, containerGone])
  // Whatever the hook left running, or the hook itself when it ran out of time or lost its container.
  if (pid !== undefined) {
    try { process.kill(-pid, 'SIGKILL') } catch {}
    opts.onProcess?.(pid, false)
  }
  if (typeof end === 'object') return end
  return { ok: true, detail: end === 'timeout' ? `${shown} not completed within the grace period` : `${shown}: the container exited during preStop` }
}
