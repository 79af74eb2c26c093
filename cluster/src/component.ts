// One component of the cluster: a child process of the caller inside the cluster's network namespace,
// its output appended to a log file in the cluster's folder.
import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { once } from 'node:events'
import type { NetworkNamespace } from './netns.js'

export class Component {
  private readonly child: ChildProcess
  readonly log: string
  private exited = false

  constructor (readonly name: string, command: string[], netns: NetworkNamespace, logDir: string) {
    this.log = join(logDir, `${name}.log`)
    const out = createWriteStream(this.log, { flags: 'a' })
    const [file, ...args] = netns.wrap(command)
    this.child = spawn(file!, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    this.child.stdout!.pipe(out, { end: false })
    this.child.stderr!.pipe(out, { end: false })
    this.child.once('exit', () => { this.exited = true })
    this.child.once('error', (err) => { out.write(`spawn failed: ${err.message}\n`); this.exited = true })
  }

  get pid (): number | undefined { return this.child.pid }
  get running (): boolean { return !this.exited }

  /** The last lines of its log, to say why it stopped. */
  async tail (lines = 20): Promise<string> {
    const text = await readFile(this.log, 'utf8').catch(() => '')
    return text.trimEnd().split('\n').slice(-lines).join('\n')
  }

  /** Its fatal and error lines (glog's F and E, Go panics), else its last lines: why it stopped. */
  async why (lines = 8): Promise<string> {
    const text = await readFile(this.log, 'utf8').catch(() => '')
    const all = text.trimEnd().split('\n')
    const first = all.findIndex((line) => /^(F\d{4} |panic:|fatal error:)/.test(line))
    if (first >= 0) return all.slice(Math.max(0, first - 2), first + 3).join('\n')
    const errors = all.filter((line) => /^E\d{4} |level=(error|fatal)|"level":"(error|fatal)"/.test(line))
    return (errors.length > 0 ? errors : all).slice(-lines).join('\n')
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  async stop (graceMs = 5000): Promise<void> {
    if (this.exited) return
    const exit = once(this.child, 'exit')
    this.child.kill('SIGTERM')
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs)
    await exit
    clearTimeout(timer)
  }
}
