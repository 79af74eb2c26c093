// The container mode's options: which images, which engine, the run's label. Checked before anything
// starts: the engine must be on PATH and each image on this machine.
import { randomBytes } from 'node:crypto'
import { findEngine, inspectImage, ENGINES, type Engine, type ImageInfo } from './engine.js'
import { RehearseInvalidOptionError } from '../errors.js'
import type { EngineName } from './run-args.js'
import { describe } from '../load/load-file.js'

export interface ContainerOptions {
  /** One image for both versions; the version reaches the pods in `versionEnv`, as with a command. */
  image?: string
  /** Or the image before the rollout and the one rolled out to (versions default to their tags). */
  oldImage?: string
  newImage?: string
  /** `podman` or `docker`. Default: the first of them on PATH. */
  runtime?: EngineName
  /** The value of the `zerodown.rehearse` label on every container of the run. Default: a random id. */
  runId?: string
}

export interface ResolvedContainers {
  engine: Engine
  oldImage: ImageInfo
  newImage: ImageInfo
  runId: string
}

const REF = /^[A-Za-z0-9][A-Za-z0-9._/:@-]*$/

/** The tag of `registry/name:tag` (not a port, not a digest), if any. */
export function imageTag (ref: string): string | undefined {
  const last = ref.split('@')[0]!.split('/').at(-1)!
  const colon = last.lastIndexOf(':')
  return colon > 0 ? last.slice(colon + 1) : undefined
}

/** Undefined when no image is given (the process mode). */
export function resolveContainers (opts: ContainerOptions): { containers: ResolvedContainers, oldVersion?: string, newVersion?: string } | undefined {
  const { image, oldImage, newImage, runtime } = opts
  if (image === undefined && oldImage === undefined && newImage === undefined) {
    if (runtime !== undefined) throw new RehearseInvalidOptionError('runtime', 'an image to run (image, or oldImage and newImage)', describe(runtime))
    return undefined
  }
  for (const key of ['image', 'oldImage', 'newImage'] as const) {
    const value = opts[key]
    if (value !== undefined && (typeof value !== 'string' || !REF.test(value))) throw new RehearseInvalidOptionError(key, 'an image reference like localhost/app:1.0.0', describe(value))
  }
  if (image !== undefined && (oldImage !== undefined || newImage !== undefined)) throw new RehearseInvalidOptionError('image', 'either image or oldImage and newImage, not both', describe(image))
  if (image === undefined && (oldImage === undefined || newImage === undefined)) {
    throw new RehearseInvalidOptionError(oldImage === undefined ? 'oldImage' : 'newImage', 'an image reference: oldImage and newImage go together', 'nothing')
  }
  if (runtime !== undefined && !(ENGINES as readonly string[]).includes(runtime)) throw new RehearseInvalidOptionError('runtime', `one of ${ENGINES.join(', ')}`, describe(runtime))
  if (opts.runId !== undefined && (typeof opts.runId !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(opts.runId))) {
    throw new RehearseInvalidOptionError('runId', 'letters, digits, _ . -', describe(opts.runId))
  }
  const engine = findEngine(runtime)
  const old = inspectImage(engine, image ?? oldImage!)
  const next = image === undefined ? inspectImage(engine, newImage!) : old
  const oldVersion = image === undefined ? imageTag(oldImage!) : undefined
  const newVersion = image === undefined ? imageTag(newImage!) : undefined
  return {
    containers: { engine, oldImage: old, newImage: next, runId: opts.runId ?? randomBytes(6).toString('hex') },
    ...(oldVersion !== undefined && { oldVersion }),
    ...(newVersion !== undefined && { newVersion })
  }
}
