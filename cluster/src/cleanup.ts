// What a cluster leaves on the machine beyond its own processes, and how each is removed: processes
// that left the process tree (containerd's shims, the containers), the mounts under the cluster's
// folder, the cgroups under its cgroup root, and the kubelet's pod logs in /var/log.
import { mkdir, readdir, readFile, readlink, rm, rmdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { run } from './run.js'

const CGROUPS = '/sys/fs/cgroup'

/** The cgroup folders of `root` (e.g. `/zerodown-1a2b`) in every hierarchy that has it, deepest first. */
async function cgroupTree (root: string): Promise<string[]> {
  const found: string[] = []
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
    for (const e of entries) if (e.isDirectory()) await walk(join(dir, e.name))
    found.push(dir)
  }
  for (const hierarchy of await readdir(CGROUPS).catch(() => [])) {
    const top = join(CGROUPS, hierarchy, root)
    if (await stat(top).then(() => true, () => false)) await walk(top)
  }
  return found
}

async function pidsIn (cgroup: string): Promise<number[]> {
  const text = await readFile(join(cgroup, 'cgroup.procs'), 'utf8').catch(() => '')
  return text.split('\n').filter(Boolean).map(Number)
}

const kill = (pid: number): void => { try { process.kill(pid, 'SIGKILL') } catch {} }

/** Makes `root` in every cgroup hierarchy: the kubelet refuses a --cgroup-root that does not exist. */
export async function makeCgroups (root: string): Promise<void> {
  for (const hierarchy of await readdir(CGROUPS)) {
    const top = join(CGROUPS, hierarchy)
    if ((await stat(join(top, 'cgroup.procs')).catch(() => undefined)) !== undefined) await mkdir(join(top, root))
  }
}

/** Kills every process in the cgroups under `root`, until none is left, then removes the cgroups. */
export async function removeCgroups (root: string): Promise<void> {
  for (let round = 0; round < 50; round++) {
    const pids = (await Promise.all((await cgroupTree(root)).map(pidsIn))).flat()
    if (pids.length === 0) break
    pids.forEach(kill)
    await sleep(100)
  }
  for (const dir of await cgroupTree(root)) await rmdir(dir).catch(() => {})
}

/** The processes whose network namespace is `netnsId` (e.g. `net:[4026532845]`). */
export async function pidsInNetns (netnsId: string): Promise<number[]> {
  const pids: number[] = []
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const ns = await readlink(`/proc/${entry}/ns/net`).catch(() => '')
    if (ns === netnsId) pids.push(Number(entry))
  }
  return pids
}

export async function killNetns (netnsId: string): Promise<void> {
  for (let round = 0; round < 50; round++) {
    const pids = (await pidsInNetns(netnsId)).filter((pid) => pid !== process.pid)
    if (pids.length === 0) return
    pids.forEach(kill)
    await sleep(100)
  }
}

/** Mount points at or under `dir`, deepest first. */
export async function mountsUnder (dir: string): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8')
  const points = text.split('\n').filter(Boolean).map((line) => line.split(' ')[4]!.replace(/\\040/g, ' '))
  return points.filter((p) => p === dir || p.startsWith(`${dir}/`)).reverse()
}

export async function unmountUnder (dir: string): Promise<void> {
  for (let round = 0; round < 5; round++) {
    const points = await mountsUnder(dir)
    if (points.length === 0) return
    for (const point of points) await run(['umount', '--lazy', point]).catch(() => {})
  }
}

/** The kubelet writes pod logs to /var/log/pods and /var/log/containers whatever its root folder. */
export const POD_LOG_DIRS = ['/var/log/pods', '/var/log/containers']

export async function listing (dir: string): Promise<string[] | null> {
  return await readdir(dir).catch(() => null)
}

/** Removes what appeared in each folder since `before` (and the folder if it did not exist: null). */
export async function removeNewEntries (before: Record<string, string[] | null>): Promise<void> {
  for (const [dir, entries] of Object.entries(before)) {
    if (entries === null) { await rm(dir, { recursive: true, force: true }); continue }
    for (const name of await listing(dir) ?? []) {
      if (!entries.includes(name)) await rm(join(dir, name), { recursive: true, force: true })
    }
  }
}
