// Whether a cluster can run here: as root with apt-get it can always be had (a missing tool is a setup
// to fix, and fails the test); elsewhere the suites skip, saying why.
import { execFileSync } from 'node:child_process'

function reason (): string | false {
  if (process.platform !== 'linux') return 'the cluster needs Linux'
  if (process.getuid?.() !== 0) return 'the cluster needs root (network namespaces, cgroups, mounts)'
  try {
    execFileSync('sh', ['-c', 'command -v apt-get || test -x /usr/bin/containerd'], { stdio: 'ignore' })
  } catch {
    return 'no apt-get to install the cluster\'s runtime, and no containerd'
  }
  return false
}

export const clusterSkip = reason()
