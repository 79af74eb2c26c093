// The Kubernetes binaries (built once from Debian's source package by scripts/build-kubernetes.sh,
// cached outside the clone) and the machine's own tools the cluster needs.
import { access, constants } from 'node:fs/promises'
import { join } from 'node:path'
import { SCRIPTS_DIR } from './paths.js'
import { run } from './run.js'

export const KUBERNETES = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubelet', 'kube-proxy', 'kubectl'] as const
export type KubernetesBinary = typeof KUBERNETES[number]

/** From Debian's packages (scripts/install-runtime.sh). */
export const RUNTIME = ['etcd', 'containerd', 'ctr', 'runc', 'iptables', 'nsenter', 'unshare', 'openssl', 'podman', 'gcc'] as const

export class ClusterSetupError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'ClusterSetupError'
  }
}

const executable = async (file: string): Promise<boolean> => await access(file, constants.X_OK).then(() => true, () => false)

async function which (tool: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(':').concat('/usr/sbin', '/sbin')) {
    if (dir !== '' && await executable(join(dir, tool))) return join(dir, tool)
  }
  return undefined
}

/** Fails naming every missing tool and the script that installs them. */
export async function checkRuntime (): Promise<void> {
  const missing: string[] = []
  for (const tool of RUNTIME) if (await which(tool) === undefined) missing.push(tool)
  if (!await executable('/usr/lib/cni/bridge')) missing.push('/usr/lib/cni/bridge')
  if (missing.length > 0) {
    throw new ClusterSetupError(`the cluster needs ${missing.join(', ')}: run cluster/scripts/install-runtime.sh as root`)
  }
}

/** The folder of the built binaries: from the cache, or built now (16-22 min on two cores, once). */
export async function kubernetesBin (): Promise<string> {
  const out = await run(['bash', join(SCRIPTS_DIR, 'build-kubernetes.sh')], { timeoutMs: 60 * 60_000 })
  const bin = out.trim().split('\n').at(-1)!
  for (const binary of KUBERNETES) {
    if (!await executable(join(bin, binary))) throw new ClusterSetupError(`${join(bin, binary)} is missing: remove ${bin} and build again`)
  }
  return bin
}

/** The pod sandbox image, built locally (scripts/pause-image.sh). */
export async function pauseImage (): Promise<string> {
  return (await run(['bash', join(SCRIPTS_DIR, 'pause-image.sh')], { timeoutMs: 10 * 60_000 })).trim().split('\n').at(-1)!
}
