// The machine-wide kernel settings the kubelet changes (its "kernel defaults") are not per namespace:
// they are read before the cluster starts and written back when it goes down. kube-proxy's
// route_localnet and the other net.* settings live in the cluster's network namespace and go with it.
import { readFile, writeFile } from 'node:fs/promises'

export const MACHINE_SYSCTLS = [
  'kernel.panic',
  'kernel.panic_on_oops',
  'kernel.keys.root_maxkeys',
  'kernel.keys.root_maxbytes',
  'vm.overcommit_memory',
  'vm.panic_on_oom'
] as const

const file = (name: string): string => `/proc/sys/${name.replaceAll('.', '/')}`

export async function readSysctls (names: readonly string[] = MACHINE_SYSCTLS): Promise<Record<string, string>> {
  const entries = await Promise.all(names.map(async (name) => [name, (await readFile(file(name), 'utf8')).trim()] as const))
  return Object.fromEntries(entries)
}

/** Writes back each value that differs now; returns the names it restored. */
export async function restoreSysctls (saved: Record<string, string>): Promise<string[]> {
  const now = await readSysctls(Object.keys(saved))
  const changed = Object.keys(saved).filter((name) => now[name] !== saved[name])
  for (const name of changed) await writeFile(file(name), saved[name]!)
  return changed
}
