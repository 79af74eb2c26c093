// Runs a command to completion and returns its output; a failure names the command and its stderr.
import { spawn } from 'node:child_process'

export interface RunOptions {
  /** Written to the command's stdin. */
  input?: string | Buffer
  env?: NodeJS.ProcessEnv
  /** Give up after this long (the command is killed). Default 120 s. */
  timeoutMs?: number
}

export class CommandError extends Error {
  constructor (readonly command: string[], readonly code: number | null, readonly stderr: string) {
    super(`${command.join(' ')} exited with ${code ?? 'a signal'}: ${stderr.trim().split('\n').slice(-5).join('\n')}`)
    this.name = 'CommandError'
  }
}

export async function run (command: string[], opts: RunOptions = {}): Promise<string> {
  const [file, ...args] = command
  if (file === undefined) throw new TypeError('run: an empty command')
  const child = spawn(file, args, { env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] })
  const out: Buffer[] = []
  const err: Buffer[] = []
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk))
  child.stdin.on('error', () => {})
  child.stdin.end(opts.input)
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000)
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', resolve)
  }).finally(() => clearTimeout(timer))
  if (code !== 0) throw new CommandError(command, code, Buffer.concat(err).toString())
  return Buffer.concat(out).toString()
}
