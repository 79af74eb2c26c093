// The container engine on this machine (podman or docker, through its command line), what the
// rehearsal reads from an image, and the final sweep of a rehearsal's containers by label. podman
// reads CONTAINERS_CONF from the environment, so a project's own containers configuration applies.
import { execFile, spawnSync } from 'node:child_process'
import { accessSync, constants as fs } from 'node:fs'
import { constants } from 'node:os'
import { delimiter, join } from 'node:path'
import { promisify } from 'node:util'
import { RehearseImageError, RehearseRuntimeError } from '../errors.js'
import { RUN_LABEL, type EngineName } from './run-args.js'

export const ENGINES = ['podman', 'docker'] as const satisfies readonly EngineName[]

export interface Engine {
  name: EngineName
  /** The binary's absolute path. */
  path: string
}

export interface ImageInfo {
  ref: string
  /** The image's USER ("" means root). */
  user: string
  /** The image's STOPSIGNAL, when it has one. */
  stopSignal?: NodeJS.Signals
}

function onPath (name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter).filter((d) => d !== '')) {
    const file = join(dir, name)
    try {
      accessSync(file, fs.X_OK)
      return file
    } catch {}
  }
  return undefined
}

/** The engine asked for, or the first of podman, docker found on PATH. */
export function findEngine (wanted?: EngineName): Engine {
  for (const name of wanted === undefined ? ENGINES : [wanted]) {
    const path = onPath(name)
    if (path !== undefined) return { name, path }
  }
  throw new RehearseRuntimeError(wanted ?? ENGINES.join(' or '), wanted === undefined
    ? 'neither podman nor docker is on PATH; install one (podman needs no daemon) or rehearse processes with a command instead of --image'
    : `${wanted} is not on PATH`)
}

/** Reads the image's USER and STOPSIGNAL; the image must already be on this machine. */
export function inspectImage (engine: Engine, ref: string): ImageInfo {
  const run = spawnSync(engine.path, ['image', 'inspect', '--format', '{{json .Config}}', ref], { encoding: 'utf8', timeout: 60_000 })
  if (run.error !== undefined) throw new RehearseRuntimeError(engine.name, run.error.message)
  if (run.status !== 0) {
    const why = (run.stderr ?? '').trim().split('\n').at(-1) ?? ''
    throw new RehearseImageError(ref, `${engine.name} image inspect found no such image on this machine (build or pull it first; the rehearsal never pulls)${why !== '' ? `: ${why}` : ''}`)
  }
  const config = JSON.parse(run.stdout) as { User?: string, StopSignal?: string } | null
  const signal = normalSignal(config?.StopSignal)
  return { ref, user: config?.User ?? '', ...(signal !== undefined && { stopSignal: signal }) }
}

/** "SIGINT", "INT" or "2" as a signal name; undefined for none or one this machine does not know. */
function normalSignal (value: string | undefined): NodeJS.Signals | undefined {
  if (value === undefined || value === '') return undefined
  const names = Object.keys(constants.signals) as NodeJS.Signals[]
  if (/^\d+$/.test(value)) return names.find((n) => constants.signals[n] === Number(value))
  const name = (value.toUpperCase().startsWith('SIG') ? value.toUpperCase() : `SIG${value.toUpperCase()}`) as NodeJS.Signals
  return names.includes(name) ? name : undefined
}

const exec = promisify(execFile)

/** The arguments that remove every container of a run, whatever its state: `ps` them, then `rm`. */
export function listArgs (runId: string): string[] {
  return ['ps', '--all', '--quiet', '--filter', `label=${RUN_LABEL}=${runId}`]
}

/** Removes every container labelled with the run id; returns how many there were. */
export async function sweepContainers (engine: Engine, runId: string): Promise<number> {
  const { stdout } = await exec(engine.path, listArgs(runId)).catch(() => ({ stdout: '' }))
  const ids = stdout.split('\n').filter((id) => id !== '')
  if (ids.length > 0) await exec(engine.path, ['rm', '--force', ...ids]).catch(() => {})
  return ids.length
}
