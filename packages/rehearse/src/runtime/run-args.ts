// The `podman run` (or `docker run`) of one pod's container, built from the manifest as a kubelet
// would create it: the image's entrypoint and ENV unless the manifest's command/args replace them,
// the pod's environment, the security context, emptyDir volumes as tmpfs, the pod name as host
// name, and the container ports published on 127.0.0.1 only.
import type { PodTemplate } from '../manifest/manifest-pod.js'

/** The label every container of a rehearsal carries, with the rehearsal's run id as value. */
export const RUN_LABEL = 'zerodown.rehearse'

export type EngineName = 'podman' | 'docker'

export interface RunArgsInput {
  engine: EngineName
  /** The container's name, unique on this machine. */
  name: string
  runId: string
  podName: string
  image: string
  /** The image's USER, e.g. "10001:10001", "node" or "" (root). */
  imageUser: string
  pod: PodTemplate
  env: Record<string, string>
  /** Free loopback ports of this machine, each published to a container port. */
  ports: Array<{ host: number, container: number }>
}

/** The arguments after the engine's binary. */
export function runArgs (input: RunArgsInput): string[] {
  const { pod } = input
  const args = ['run', '--rm', '--name', input.name, '--label', `${RUN_LABEL}=${input.runId}`,
    '--hostname', input.podName, '--pull', 'never', '--sig-proxy=false']
  for (const port of input.ports) args.push('--publish', `127.0.0.1:${port.host}:${port.container}`)
  const user = userOf(pod, input.imageUser)
  if (user !== undefined) args.push('--user', user)
  if (pod.readOnlyRootFilesystem) {
    args.push('--read-only')
    // podman would add writable tmpfs at /run, /tmp and /var/tmp: a kubelet adds none.
    if (input.engine === 'podman') args.push('--read-only-tmpfs=false')
  }
  for (const path of pod.emptyDirs) args.push('--tmpfs', `${path}:rw,mode=1777`)
  for (const cap of pod.capabilities.drop) args.push('--cap-drop', cap)
  for (const cap of pod.capabilities.add) args.push('--cap-add', cap)
  if (pod.allowPrivilegeEscalation === false) args.push('--security-opt', 'no-new-privileges')
  if (pod.privileged) args.push('--privileged')
  for (const [name, value] of Object.entries(input.env)) args.push('--env', `${name}=${value}`)
  // command replaces ENTRYPOINT and drops CMD; args replace CMD (both engines drop CMD with --entrypoint).
  const command = pod.command !== undefined && pod.command.length > 0 ? pod.command : undefined
  if (command !== undefined) args.push('--entrypoint', command[0]!)
  args.push(input.image, ...(command?.slice(1) ?? []), ...(pod.args ?? []))
  return args
}

/** `--user` for runAsUser/runAsGroup; undefined keeps the image's USER. */
function userOf (pod: PodTemplate, imageUser: string): string | undefined {
  if (pod.runAsUser === undefined && pod.runAsGroup === undefined) return undefined
  const user = pod.runAsUser ?? (imageUser.split(':')[0] || '0')
  return pod.runAsGroup === undefined ? String(user) : `${user}:${pod.runAsGroup}`
}

/**
 * The kubelet's runAsNonRoot check (verifyRunAsNonRoot): the reason it refuses to start the container
 * (CreateContainerConfigError), or undefined.
 */
export function nonRootViolation (pod: PodTemplate, imageUser: string): string | undefined {
  if (!pod.runAsNonRoot) return undefined
  if (pod.runAsUser !== undefined) return pod.runAsUser === 0 ? 'container\'s runAsUser breaks non-root policy (runAsUser 0, runAsNonRoot true)' : undefined
  const user = imageUser.split(':')[0] ?? ''
  if (user === '' || user === '0' || user === 'root') return 'container has runAsNonRoot and image will run as root'
  if (!/^\d+$/.test(user)) return `container has runAsNonRoot and image has non-numeric user (${user}), cannot verify user is non-root`
  return undefined
}
