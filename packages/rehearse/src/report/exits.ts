// How each pod that had to go ended, and whether that was clean: exit 0 after its drain. A pod that
// exits non-zero, is cut at its own shutdown deadline, exits before its drain ended or on a signal it
// does not handle fails the rehearsal — even when no request happened to fail — with one sentence
// naming the likely cause and the last lines of its output.
import { basename } from 'node:path'
import { SETTINGS } from '@zerodown/contract'
import type { PodRecord } from '../state.js'
import type { PodEvent } from '../timeline.js'

const DRAIN = SETTINGS.drainDelay.env

export type UncleanReason = 'deadline' | 'exit-code' | 'before-drain' | 'signal' | 'killed'

export interface UncleanExit {
  reason: UncleanReason
  /** What happened and its likely cause, in one sentence. */
  sentence: string
  /** The last lines of the pod's output. */
  output: string[]
}

/** What the verdict reads of one pod. */
export interface EndedPod {
  name: string
  version: string
  /** Its whole environment: the drain delay's variable says how long it should have drained. */
  env: Record<string, string>
  output: readonly string[]
  /** The command that started it: a process manager there is a likely cause. */
  command: string[]
}

const OUTPUT_LINES = 10
/** Process managers that, as PID 1, tend to exit on SIGTERM before the app they started has drained. */
const MANAGERS = new Set(['npm', 'npx', 'yarn', 'pnpm', 'sh', 'bash'])
/** What @zerodown/shutdown logs when its own deadline cuts the shutdown. */
const DEADLINE = /shutdown: timeout of (\d+) ms reached[^;]*; still pending: ([^"]*)/

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`

/** Why a pod that was deleted ended uncleanly, or undefined when it exited 0 after its drain. */
export function uncleanExit (pod: EndedPod, events: PodEvent[]): UncleanExit | undefined {
  const mine = events.filter((e) => e.pod === pod.name)
  const exited = mine.filter((e) => e.kind === 'exited').at(-1)
  if (mine.every((e) => e.kind !== 'deleted') || exited === undefined || exited.detail === 'torn down') return undefined
  const signalled = mine.find((e) => e.kind === 'sigterm')
  const after = signalled === undefined ? '' : `, ${seconds(exited.at - signalled.at)} after ${signal(signalled)}`
  const found = cause(pod, mine, exited, signalled)
  if (found === undefined) return undefined
  const [reason, what] = found
  return { reason, sentence: `pod ${pod.name} (${pod.version}) ${what(after)}`, output: pod.output.slice(-OUTPUT_LINES) }
}

type Cause = [UncleanReason, (after: string) => string]

function cause (pod: EndedPod, mine: PodEvent[], exited: PodEvent, signalled: PodEvent | undefined): Cause | undefined {
  const exit = exited.detail ?? ''
  const manager = managerOf(pod.command)
  if (mine.some((e) => e.kind === 'sigkill')) {
    return ['killed', (after) => `was killed with SIGKILL at the end of its grace period${after}: ${manager !== undefined ? `${manager} as PID 1 did not pass the signal on, or ` : ''}the app does not handle ${signal(signalled)} (as PID 1 a signal without a handler is ignored)`]
  }
  if (exit.startsWith('signal ')) {
    return ['signal', (after) => `was ended by ${exit.slice(7)}${after}: the app has no handler for it, so it stopped without draining (in a container, as PID 1, it would ignore it until SIGKILL)`]
  }
  const code = Number(exit.replace(/^code /, ''))
  const deadline = pod.output.map((line) => DEADLINE.exec(line)).find((m) => m !== null)
  if (deadline !== undefined && deadline !== null) {
    return ['deadline', (after) => `exited with code ${code}${after}, cut at its own shutdown deadline (${deadline[1]} ms) with ${deadline[2]} still pending: ` +
      `likely an onClose hook that hangs (a database pool or client that never closes); raise ${SETTINGS.shutdownTimeout.env} only if it just needs longer`]
  }
  const drainMs = Number(pod.env[DRAIN])
  const early = signalled !== undefined && Number.isFinite(drainMs) && exited.at - signalled.at < drainMs
  const stopped = `${exit === 'code 0' ? 'exited' : `exited with code ${code}`}`
  if (early && manager !== undefined) {
    return ['before-drain', (after) => `${stopped}${after}, before its ${seconds(drainMs)} drain (${DRAIN}) had ended: ` +
      `${manager} as PID 1 does not wait for the app it started to drain on ${signal(signalled)}; start node directly (CMD ["node", "server.js"])`]
  }
  if (code !== 0) return ['exit-code', (after) => `${stopped}${after}: the app failed while shutting down`]
  if (early) {
    return ['before-drain', (after) => `${stopped}${after}, before its ${seconds(drainMs)} drain (${DRAIN}) had ended: ` +
      `the app exits on ${signal(signalled)} at once instead of draining; register @zerodown/shutdown (or wait ${DRAIN}) before closing`]
  }
  return undefined
}

const signal = (signalled: PodEvent | undefined): string => signalled?.detail?.split(' ')[0] ?? 'SIGTERM'

/** The process manager that starts the app, if one does: `npm start`, `sh -c …`. */
function managerOf (command: string[]): string | undefined {
  const first = command[0]
  if (first === undefined) return undefined
  const name = basename(first)
  // `node /usr/bin/npm start` and the like: the script is the manager.
  const script = name === 'node' || name.startsWith('node') ? basename(command[1] ?? '') : name
  const bare = script.replace(/(-cli)?\.(c|m)?js$/, '')
  return MANAGERS.has(bare) ? bare : undefined
}

/** The pods of the rehearsal, as the verdict reads them. */
export function endedPods (pods: PodRecord[], command: string[]): EndedPod[] {
  return pods.map((p) => ({ name: p.name, version: p.version, env: p.env, output: p.output, command }))
}
