// One container of a pod, run by the engine: `podman run --rm` attached (its output is the pod's), the
// stop signal and SIGKILL sent through `podman kill --signal`, so they reach the container's PID 1 as
// the kubelet's runtime sends them. A rehearsal's pod runtime (containerRuntime) starts one per run.
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { constants } from 'node:os'
import { lines, type ContainerExit } from './process.js'
import type { Engine } from './engine.js'
import type { PodRuntime, RunningContainer } from './runtime.js'

export class EngineContainer implements RunningContainer {
  readonly pid = undefined
  readonly child: ChildProcess
  readonly exited: Promise<ContainerExit>
  spawnError: Error | undefined
  private done = false

  constructor (private readonly engine: Engine, readonly name: string, args: string[], onLine: (line: string) => void) {
    // Detached: a Ctrl+C to the CLI's process group must not reach the engine's client first.
    this.child = spawn(engine.path, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    lines(this.child, onLine)
    this.exited = new Promise((resolve) => {
      this.child.once('error', (err) => {
        this.spawnError = err
        onLine(`cannot start ${engine.name}: ${err.message}`)
      })
      this.child.once('close', (code) => {
        this.done = true
        resolve(exitOf(code))
      })
    })
  }

  get running (): boolean {
    return !this.done
  }

  async signal (signal: NodeJS.Signals): Promise<void> {
    if (!this.running) return
    await new Promise((resolve) => execFile(this.engine.path, ['kill', '--signal', signal, this.name], resolve))
  }

  killGroup (): void {
    if (!this.running) return
    execFile(this.engine.path, ['kill', '--signal', 'SIGKILL', this.name], () => {})
    // Killed before the engine created it: the client is ended; the run's sweep removes what it left.
    const timer = setTimeout(() => { if (this.running) this.child.kill('SIGKILL') }, 5000)
    timer.unref()
  }
}

/** The engine client exits with the container's code; 128 + N means signal N. */
function exitOf (code: number | null): ContainerExit {
  const number = code ?? 137
  const signal = number > 128 ? (Object.entries(constants.signals).find(([, n]) => n === number - 128)?.[0] as NodeJS.Signals | undefined) : undefined
  return signal !== undefined ? { code: null, signal } : { code: number, signal: null }
}

/** A pod's runtime: each start is a new container named after the pod, built by `args(name)`. */
export function containerRuntime (engine: Engine, podName: string, args: (name: string) => string[]): PodRuntime {
  let runs = 0
  let current = podName
  return {
    start: (onLine) => {
      current = `${podName}-${runs++}`
      return new EngineContainer(engine, current, args(current), onLine)
    },
    exec: (command) => ({ command: [engine.path, 'exec', current, ...command], env: engineEnv() })
  }
}

/** The engine client's own environment: this process's (PATH, HOME, CONTAINERS_CONF, DOCKER_HOST...). */
function engineEnv (): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined))
}
