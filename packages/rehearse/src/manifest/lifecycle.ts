// The container's lifecycle as the kubelet runs it at termination (R6, R9): the preStop hook (its own
// sleep, or an exec) and the stop signal.
import { constants } from 'node:os'
import type { Obj } from '../load/fields.js'
import { isObj } from '../load/fields.js'
import type { ManifestFields } from './fields.js'

export type PreStopHook = { sleepSeconds: number } | { exec: string[] }

export interface Lifecycle {
  preStop?: PreStopHook
  /** What the time budget counts for preStop: `sleep.seconds`, or N of an exec of `sleep N`; 0 otherwise. */
  preStopSleepSeconds: number
  stopSignal: NodeJS.Signals
}

export function readLifecycle (container: Obj, f: ManifestFields): Lifecycle {
  const lifecycle = isObj(container.lifecycle) ? container.lifecycle : {}
  const stopSignal = lifecycle.stopSignal ?? 'SIGTERM'
  if (typeof stopSignal !== 'string' || !(stopSignal in constants.signals) || stopSignal === 'SIGKILL' || stopSignal === 'SIGSTOP') {
    f.fail(`lifecycle.stopSignal must be a signal name like "SIGTERM" or "SIGINT", got ${JSON.stringify(lifecycle.stopSignal)}`)
  }
  return { ...readPreStop(lifecycle.preStop, f), stopSignal: stopSignal as NodeJS.Signals }
}

function readPreStop (pre: unknown, f: ManifestFields): Pick<Lifecycle, 'preStop' | 'preStopSleepSeconds'> {
  if (!isObj(pre)) return { preStopSleepSeconds: 0 }
  if (isObj(pre.sleep)) {
    const seconds = f.seconds(pre.sleep.seconds, 'lifecycle.preStop.sleep.seconds', 0)
    return { preStop: { sleepSeconds: seconds }, preStopSleepSeconds: seconds }
  }
  if (isObj(pre.exec) && Array.isArray(pre.exec.command) && pre.exec.command.length > 0) {
    const command = pre.exec.command.map(String)
    // `sleep N`, alone or through a shell, is what the budget counts.
    const execSleep = /^(?:\S*\/)?sleep\s+(\d+(?:\.\d+)?)$/.exec(command.slice(command[0]?.endsWith('sh') === true ? 2 : 0).join(' ').trim())
    return { preStop: { exec: command }, preStopSleepSeconds: execSleep === null ? 0 : Number(execSleep[1]) }
  }
  return f.fail('lifecycle.preStop must be sleep.seconds or exec.command (a non-empty array); httpGet hooks are not rehearsed')
}
