// What a cluster could leave on the machine, read before and after: processes, the host's iptables
// rules, links, mounts, the kernel settings the kubelet and kube-proxy change, cgroups and files.
import { readdir, readFile } from 'node:fs/promises'
import { run } from '../src/run.js'
import { MACHINE_SYSCTLS } from '../src/sysctls.js'

export interface HostState {
  processes: Map<number, string>
  iptables: string
  links: string[]
  mounts: string[]
  sysctls: Record<string, string>
  cgroups: string[]
  files: string[]
}

const SYSCTLS = [...MACHINE_SYSCTLS, 'net.ipv4.conf.all.route_localnet', 'net.ipv4.ip_forward', 'net.bridge.bridge-nf-call-iptables']
const WATCHED_DIRS = ['/run', '/var/run/netns', '/var/lib', '/var/log', '/var/tmp', '/dev/shm', '/etc', '/opt', '/tmp']

async function processes (): Promise<Map<number, string>> {
  const map = new Map<number, string>()
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => undefined)
    if (cmdline !== undefined) map.set(Number(entry), cmdline.replaceAll('\0', ' ').trim())
  }
  return map
}

export async function readHostState (): Promise<HostState> {
  const sysctls: Record<string, string> = {}
  for (const name of SYSCTLS) sysctls[name] = (await readFile(`/proc/sys/${name.replaceAll('.', '/')}`, 'utf8').catch(() => 'absent')).trim()
  const cgroups: string[] = []
  for (const hierarchy of await readdir('/sys/fs/cgroup')) {
    for (const entry of await readdir(`/sys/fs/cgroup/${hierarchy}`, { withFileTypes: true }).catch(() => [])) {
      if (entry.isDirectory()) cgroups.push(`${hierarchy}/${entry.name}`)
    }
  }
  const files: string[] = []
  for (const dir of WATCHED_DIRS) for (const name of await readdir(dir).catch(() => [])) files.push(`${dir}/${name}`)
  return {
    processes: await processes(),
    // Counters change with any traffic; the rules themselves must not.
    iptables: (await run(['iptables-save'])).split('\n').filter((l) => !l.startsWith('#')).map((l) => l.replace(/\[\d+:\d+\]/, '')).join('\n'),
    links: (await run(['ip', '-o', 'link', 'show'])).split('\n').filter(Boolean).map((l) => l.split(':')[1]!.trim()),
    mounts: (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').filter(Boolean).map((l) => l.split(' ').slice(4, 5).join(' ')),
    sysctls,
    cgroups,
    files
  }
}

/**
 * What a cluster's leftovers would be named like. Processes, files, mounts and cgroups are compared
 * only where they match, since other suites may run beside this one; iptables rules, links and the
 * kernel settings are compared whole (no other suite changes them while this one runs).
 */
const CLUSTER_THING = /zerodown-(cluster|etcd)|kube|etcd|containerd|runc|cni|netns|pause|pods|k8s|198\.1[89]\./
/** A process of a cluster: one of its programs, its namespace's holder, or anything run from its folders. */
const CLUSTER_PROCESS = /zerodown-(cluster|etcd)-|(^|\/)(etcd|containerd(-shim[\w-]*)?|runc|kube-apiserver|kube-controller-manager|kube-scheduler|kubelet|kube-proxy|pause)( |$)|^unshare --net|^sleep infinity$/

/** Differences, as sentences; empty when the machine is as it was. */
export function compareHostState (before: HostState, after: HostState): string[] {
  const problems: string[] = []
  for (const [pid, cmd] of after.processes) {
    if (!before.processes.has(pid) && CLUSTER_PROCESS.test(cmd)) problems.push(`a new process ${pid}: ${cmd}`)
  }
  if (before.iptables !== after.iptables) problems.push(`the host's iptables rules changed:\n${after.iptables}`)
  const diff = (what: string, a: string[], b: string[]): void => {
    for (const x of b) if (!a.includes(x)) problems.push(`a new ${what}: ${x}`)
    for (const x of a) if (!b.includes(x)) problems.push(`a ${what} gone: ${x}`)
  }
  const matching = (list: string[]): string[] => list.filter((x) => CLUSTER_THING.test(x))
  diff('link', before.links, after.links)
  diff('mount', matching(before.mounts), matching(after.mounts))
  diff('cgroup', matching(before.cgroups), matching(after.cgroups))
  diff('file', matching(before.files), matching(after.files))
  for (const [name, value] of Object.entries(before.sysctls)) {
    if (after.sysctls[name] !== value) problems.push(`${name} is ${after.sysctls[name]}, was ${value}`)
  }
  return problems
}
