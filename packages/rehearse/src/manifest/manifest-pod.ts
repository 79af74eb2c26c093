// What a container runtime needs from the pod template besides the rollout: the container's command
// and args, its security context merged over the pod's, and its emptyDir mounts. The process mode
// reads none of it; the container mode (--image) turns it into a `podman run` (see runtime/run-args.ts).
import { isObj, type Obj } from '../load/fields.js'

export interface PodTemplate {
  /** `command`: replaces the image's ENTRYPOINT (and its CMD). */
  command?: string[]
  /** `args`: replaces the image's CMD. */
  args?: string[]
  /** `lifecycle.stopSignal` was set: it wins over the image's STOPSIGNAL. */
  stopSignalSet: boolean
  runAsUser?: number
  runAsGroup?: number
  runAsNonRoot: boolean
  readOnlyRootFilesystem: boolean
  allowPrivilegeEscalation?: boolean
  privileged: boolean
  capabilities: { add: string[], drop: string[] }
  /** Mount paths of the container's emptyDir volumes: a tmpfs each. */
  emptyDirs: string[]
  /** What the container mode reads but does not reproduce, e.g. a configMap volume. */
  warnings: string[]
}

export function podTemplate (container: Obj, pod: Obj, fail: (reason: string) => never): PodTemplate {
  const strings = (value: unknown, field: string): string[] | undefined => {
    if (value === undefined || value === null) return undefined
    if (!Array.isArray(value) || !value.every((s) => typeof s === 'string' || typeof s === 'number')) fail(`${field} must be an array of strings`)
    return (value as unknown[]).map(String)
  }
  const podSc = isObj(pod.securityContext) ? pod.securityContext : {}
  const sc = isObj(container.securityContext) ? container.securityContext : {}
  const pick = (key: string): unknown => sc[key] ?? podSc[key]
  const id = (key: 'runAsUser' | 'runAsGroup'): number | undefined => {
    const v = pick(key)
    if (v === undefined || v === null) return undefined
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) fail(`securityContext.${key} must be an integer >= 0, got ${JSON.stringify(v)}`)
    return v as number
  }
  const caps = isObj(sc.capabilities) ? sc.capabilities : {}
  const warnings: string[] = []
  const volumes = new Map((Array.isArray(pod.volumes) ? pod.volumes.filter(isObj) : []).map((v) => [String(v.name), v]))
  const emptyDirs: string[] = []
  for (const mount of Array.isArray(container.volumeMounts) ? container.volumeMounts.filter(isObj) : []) {
    const volume = volumes.get(String(mount.name))
    if (typeof mount.mountPath !== 'string' || !mount.mountPath.startsWith('/')) fail(`volumeMounts ${String(mount.name)}: mountPath must be an absolute path`)
    if (volume !== undefined && isObj(volume.emptyDir)) emptyDirs.push(mount.mountPath as string)
    else warnings.push(`the volume ${String(mount.name)} at ${String(mount.mountPath)} is not mounted in the container mode (only emptyDir volumes are, as tmpfs)`)
  }
  const runAsUser = id('runAsUser')
  const runAsGroup = id('runAsGroup')
  const allowPrivilegeEscalation = sc.allowPrivilegeEscalation
  const lifecycle = isObj(container.lifecycle) ? container.lifecycle : {}
  const command = strings(container.command, 'command')
  const args = strings(container.args, 'args')
  return {
    ...(command !== undefined && { command }),
    ...(args !== undefined && { args }),
    stopSignalSet: lifecycle.stopSignal !== undefined && lifecycle.stopSignal !== null,
    ...(runAsUser !== undefined && { runAsUser }),
    ...(runAsGroup !== undefined && { runAsGroup }),
    runAsNonRoot: pick('runAsNonRoot') === true,
    readOnlyRootFilesystem: sc.readOnlyRootFilesystem === true,
    ...(typeof allowPrivilegeEscalation === 'boolean' && { allowPrivilegeEscalation }),
    privileged: sc.privileged === true,
    capabilities: { add: strings(caps.add, 'securityContext.capabilities.add') ?? [], drop: strings(caps.drop, 'securityContext.capabilities.drop') ?? [] },
    emptyDirs,
    warnings
  }
}
