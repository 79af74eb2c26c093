// Each running cluster is recorded in /run/zerodown-cluster, so one whose owner was killed (a test
// runner stopped mid-run) is cleaned up by the next `up` or by `zerodown-cluster down`.
import { mkdir, readdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'

export const RUNS_DIR = '/run/zerodown-cluster'

export interface RunRecord {
  /** The process that started the cluster. */
  owner: number
  dir: string
  etcdDir: string
  cgroupRoot: string
  /** The network namespace's inode, `net:[…]`. */
  netns: string
  /** The kernel settings before the cluster started. */
  sysctls: Record<string, string>
  /** The entries of the pod log folders before the cluster started (null: the folder did not exist; JSON keeps null). */
  logDirs: Record<string, string[] | null>
}

const file = (record: RunRecord): string => join(RUNS_DIR, `${basename(record.dir)}.json`)

export async function recordRun (record: RunRecord): Promise<void> {
  await mkdir(RUNS_DIR, { recursive: true })
  await writeFile(file(record), JSON.stringify(record, null, 2))
}

export async function forgetRun (record: RunRecord): Promise<void> {
  await rm(file(record), { force: true })
  await rmdir(RUNS_DIR).catch(() => {})
}

const alive = (pid: number): boolean => {
  try { process.kill(pid, 0); return true } catch { return false }
}

/** The recorded runs whose owner is gone (or every run, with `all`). */
export async function staleRuns (all = false): Promise<RunRecord[]> {
  const names = await readdir(RUNS_DIR).catch(() => [])
  const records = await Promise.all(names.filter((n) => n.endsWith('.json')).map(async (n) => JSON.parse(await readFile(join(RUNS_DIR, n), 'utf8')) as RunRecord))
  return records.filter((r) => all || !alive(r.owner))
}
