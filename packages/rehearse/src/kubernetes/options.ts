// --cluster's options: where the cluster is, and the images it rolls between (none: only the version
// variable changes). Checked before anything is created.
import { RehearseInvalidOptionError } from '../errors.js'
import { describe } from '../load/load-file.js'
import type { Scenario } from '../options.js'
import { imageTag, type ContainerOptions } from '../runtime/container-options.js'
import type { ClusterTarget } from './client.js'

export interface ResolvedCluster {
  target: ClusterTarget
  /** The image before the rollout: the manifest's when not given. */
  oldImage?: string
  /** The image rolled out to: the same as before when not given (the version variable changes alone). */
  newImage?: string
  oldVersion?: string
  newVersion?: string
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/

export function resolveCluster (target: ClusterTarget, opts: ContainerOptions & { scenario?: Scenario, command?: string[] }): ResolvedCluster {
  if (target === null || typeof target !== 'object') throw new RehearseInvalidOptionError('cluster', 'an object like { context: "staging" }', describe(target))
  for (const key of ['kubeconfig', 'context', 'url'] as const) {
    const value = target[key]
    if (value !== undefined && (typeof value !== 'string' || value === '')) throw new RehearseInvalidOptionError(`cluster.${key}`, 'a non-empty string', describe(value))
  }
  if (target.namespace !== undefined && (typeof target.namespace !== 'string' || !DNS_LABEL.test(target.namespace))) {
    throw new RehearseInvalidOptionError('cluster.namespace', 'a namespace name: at most 63 lowercase letters, digits and "-"', describe(target.namespace))
  }
  if (target.url !== undefined && !/^https?:\/\/[^/]+/.test(target.url)) throw new RehearseInvalidOptionError('cluster.url', 'an http:// or https:// URL like http://shop.staging.example.com', describe(target.url))
  if (opts.scenario === 'node-drain') throw new RehearseInvalidOptionError('scenario', 'rolling-update, rollback or restart with a cluster: a node drain would evict every pod of a real node', '"node-drain"')
  if (opts.command !== undefined && opts.command.length > 0) throw new RehearseInvalidOptionError('command', 'no command with a cluster: it runs the manifest\'s image', describe(opts.command))
  if (opts.runtime !== undefined) throw new RehearseInvalidOptionError('runtime', 'no container runtime with a cluster: its own runs the pods', describe(opts.runtime))
  const oldImage = opts.oldImage ?? opts.image
  const newImage = opts.newImage ?? opts.image
  const oldVersion = opts.image === undefined && opts.oldImage !== undefined ? imageTag(opts.oldImage) : undefined
  const newVersion = opts.image === undefined && opts.newImage !== undefined ? imageTag(opts.newImage) : undefined
  return {
    target,
    ...(oldImage !== undefined && { oldImage }),
    ...(newImage !== undefined && { newImage }),
    ...(oldVersion !== undefined && { oldVersion }),
    ...(newVersion !== undefined && { newVersion })
  }
}
