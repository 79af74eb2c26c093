// What the kubelet (kubelet/pod.ts) needs of a container, whoever runs it: a process of this machine
// (process.ts, the default) or a container of an engine (engine-container.ts, with --image).
import type { ContainerExit } from './process.js'

export interface RunningContainer {
  /** The process group of a process container; undefined for an engine's container. */
  readonly pid: number | undefined
  /** The engine's container name. */
  readonly name?: string
  readonly running: boolean
  readonly exited: Promise<ContainerExit>
  /** Set when it could not start at all. */
  readonly spawnError: Error | undefined
  /** The stop signal, to PID 1. */
  signal (signal: NodeJS.Signals): Promise<void>
  /** SIGKILL to everything in it. */
  killGroup (): void
}

/** Starts one pod's containers (one at a time) and runs its preStop exec commands where they run. */
export interface PodRuntime {
  start (onLine: (line: string) => void): RunningContainer
  /** How to run a preStop exec command inside the current container: the command and its environment. */
  exec (command: string[]): { command: string[], env: Record<string, string> }
}
