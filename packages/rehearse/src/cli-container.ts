// The command line's container mode: --image, or --old-image and --new-image, and --runtime.
import type { RehearseOptions } from './options.js'
import type { EngineName } from './run-args.js'

export const CONTAINER_USAGE = `Containers (instead of a command: each pod is a container of the image)
  --image REF                one image for both versions, the version in --version-env as with a command
  --old-image REF            or the image before the rollout ...
  --new-image REF            ... and the one rolled out to (versions default to the image tags)
  --runtime ENGINE           podman or docker (default: the first on PATH); images must be on this
                             machine (never pulled); podman reads CONTAINERS_CONF from your environment
`

export const CONTAINER_ARGS = {
  image: { type: 'string' },
  'old-image': { type: 'string' },
  'new-image': { type: 'string' },
  runtime: { type: 'string' }
} as const

export interface ContainerValues {
  image?: string | undefined
  'old-image'?: string | undefined
  'new-image'?: string | undefined
  runtime?: string | undefined
}

/** True when an image is given; sets the options. The runtime's value is checked with the options. */
export function containerOptions (values: ContainerValues, options: RehearseOptions): boolean {
  if (values.image !== undefined) options.image = values.image
  if (values['old-image'] !== undefined) options.oldImage = values['old-image']
  if (values['new-image'] !== undefined) options.newImage = values['new-image']
  if (values.runtime !== undefined) options.runtime = values.runtime as EngineName
  return values.image !== undefined || values['old-image'] !== undefined || values['new-image'] !== undefined
}
