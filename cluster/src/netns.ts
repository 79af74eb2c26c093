// The cluster's own network namespace: a holder process (`unshare --net sleep`) keeps it alive, and
// every component enters it with `nsenter --net`, so no `ip netns` mount is ever made on the host
// and the namespace, its bridge, routes and iptables rules vanish with its last process.
import { spawn, type ChildProcess } from 'node:child_process'
import { readlink } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import { run, type RunOptions } from './run.js'

export class NetworkNamespace {
  private constructor (private readonly holder: ChildProcess, readonly path: string) {}

  static async create (): Promise<NetworkNamespace> {
    const holder = spawn('unshare', ['--net', '--', 'sleep', 'infinity'], { stdio: 'ignore' })
    const pid = holder.pid
    if (pid === undefined) throw new Error('netns: unshare did not start')
    const path = `/proc/${pid}/ns/net`
    const own = await readlink('/proc/self/ns/net')
    // unshare enters the new namespace, then becomes sleep: wait until the link says so.
    for (let i = 0; i < 200; i++) {
      if (holder.exitCode !== null) throw new Error(`netns: unshare --net exited with ${holder.exitCode} (needs root)`)
      const link = await readlink(path).catch(() => own)
      if (link !== own) return new NetworkNamespace(holder, path)
      await sleep(10)
    }
    holder.kill('SIGKILL')
    throw new Error('netns: the new network namespace did not appear')
  }

  /** The inode of the namespace, e.g. `net:[4026532845]`, to find the processes inside it. */
  async id (): Promise<string> {
    return await readlink(this.path)
  }

  /** `command` run inside the namespace (only the network namespace: mounts stay the host's). */
  wrap (command: string[]): string[] {
    return ['nsenter', `--net=${this.path}`, '--', ...command]
  }

  async run (command: string[], opts?: RunOptions): Promise<string> {
    return await run(this.wrap(command), opts)
  }

  /** Ends the holder; the namespace goes once no process is left in it. */
  close (): void {
    this.holder.kill('SIGKILL')
  }
}
