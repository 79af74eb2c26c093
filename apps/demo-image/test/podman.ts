/**
 * podman through scripts/containers/podman.sh (the project's containers.conf), the image scripts,
 * and containers that are always removed: each carries this test process's pid in a label, is
 * removed in the test's teardown, and a later run removes any whose test process is gone (killed
 * before its teardown could run).
 */
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const run = promisify(execFile)
/** scripts/containers/, with a trailing slash. */
export const scriptsDir = fileURLToPath(new URL('../../../scripts/containers/', import.meta.url))
const scripts = scriptsDir
const OWNER = 'dev.zerodown.test'
const OWNER_PID = 'dev.zerodown.test-pid'

async function exec (file: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run(file, args, { maxBuffer: 64 * 1024 * 1024 })
    return stdout.trim()
  } catch (err) {
    const { code, stderr } = err as { code?: number, stderr?: string }
    const tail = (stderr ?? '').trim().split('\n').slice(-20).join('\n')
    throw new Error(`${file} ${args.join(' ')} failed (exit ${code}):\n${tail}`)
  }
}

export function podman (...args: string[]): Promise<string> {
  return exec(scripts + 'podman.sh', args)
}

/** Runs scripts/containers/NAME with ARGS; resolves with the image reference it prints and its duration. */
export async function imageScript (name: string, args: string[] = []): Promise<{ ref: string, seconds: number }> {
  const started = performance.now()
  const ref = await exec(scripts + name, args)
  return { ref, seconds: (performance.now() - started) / 1000 }
}

function alive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Removes containers this test left behind in runs that were killed; returns their names. */
export async function removeOrphans (owner: string): Promise<string[]> {
  const listed = await podman('ps', '--all', '--filter', `label=${OWNER}=${owner}`,
    '--format', `{{.Names}} {{index .Labels "${OWNER_PID}"}}`)
  const orphans = listed.split('\n').filter(Boolean)
    .map((line) => line.split(' '))
    .filter(([, pid]) => !alive(Number(pid)))
    .map(([name]) => name!)
  for (const name of orphans) await removeContainer(name)
  return orphans
}

/** `podman run --detach` with ARGS, labelled as this process's; returns the container's name. */
export async function runContainer (owner: string, name: string, args: string[]): Promise<string> {
  await podman('run', '--detach', '--name', name,
    '--label', `${OWNER}=${owner}`, '--label', `${OWNER_PID}=${process.pid}`, ...args)
  return name
}

export async function removeContainer (name: string): Promise<void> {
  await podman('rm', '--force', '--ignore', '--time', '0', name)
}
