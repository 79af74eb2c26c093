// A real npm registry on 127.0.0.1: Verdaccio with the repository's config (registry/config.yaml),
// run from a temporary folder that holds its storage. Ours (@zerodown/*) has no uplink; everything
// else is proxied from the registry npm is configured with on this machine.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

const e2e = resolve(import.meta.dirname, '..')
export const CONFIG = join(e2e, 'registry/config.yaml')
const VERDACCIO = join(e2e, 'node_modules/verdaccio/bin/verdaccio')
// How long Verdaccio may take to answer its first ping before the test gives up, naming its output.
const START_LIMIT_MS = 60_000

export interface Registry {
  /** http://127.0.0.1:PORT/ */
  url: string
  /** Its temporary folder (storage, htpasswd, config), removed by stop(). */
  dir: string
  /** The token of the one user allowed to publish: what the workflow passes as NODE_AUTH_TOKEN. */
  token: string
  /** A user .npmrc for installing from this registry only (no auth). */
  npmrc: string
  /** Everything Verdaccio logged (warnings and errors only: see the config). */
  output: () => string
  stop: () => Promise<void>
}

async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** The uplink: where npm on this machine gets packages from (the public registry unless configured). */
export function upstreamRegistry (): string {
  const url = execFileSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' }).trim()
  if (!/^https?:\/\//.test(url)) throw new Error(`npm config get registry printed "${url}", not a registry URL`)
  return url
}

// The certificate authorities npm trusts (its cafile: here the host's bundle, which includes the
// TLS proxy in front of the registry). Verdaccio is a Node.js program that must trust them too, and
// a task runner may not pass NODE_EXTRA_CA_CERTS through to it.
function npmCertificates (): Record<string, string> {
  if (process.env.NODE_EXTRA_CA_CERTS !== undefined) return { NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS }
  const cafile = execFileSync('npm', ['config', 'get', 'cafile'], { encoding: 'utf8' }).trim()
  return cafile === '' || cafile === 'null' || cafile === 'undefined' ? {} : { NODE_EXTRA_CA_CERTS: cafile }
}

function writeConfig (dir: string): string {
  const source = readFileSync(CONFIG, 'utf8')
  const uplink = '    url: https://registry.npmjs.org/\n'
  if (!source.includes(uplink)) throw new Error(`${CONFIG} has no npmjs uplink line to point at ${upstreamRegistry()}`)
  const file = join(dir, 'config.yaml')
  writeFileSync(file, source.replace(uplink, `    url: ${upstreamRegistry()}\n`))
  return file
}

async function waitForPing (url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + START_LIMIT_MS
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`verdaccio exited with code ${child.exitCode}:\n${output()}`)
    try {
      const res = await fetch(new URL('-/ping', url))
      if (res.ok) return
    } catch {
      // not listening yet
    }
    await sleep(100)
  }
  throw new Error(`verdaccio did not answer ${url}-/ping within ${START_LIMIT_MS / 1000} s:\n${output()}`)
}

/** Registers the one user the config allows and returns its token, as `npm adduser` would. */
async function addUser (url: string): Promise<string> {
  const name = 'zerodown-release'
  const res = await fetch(new URL(`-/user/org.couchdb.user:${name}`, url), {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password: `pw-${process.pid}-${Date.now()}`, type: 'user', roles: [] })
  })
  const body = await res.json() as { token?: string, error?: string }
  if (res.status !== 201 || typeof body.token !== 'string') {
    throw new Error(`verdaccio refused to add the release user: ${res.status} ${JSON.stringify(body)}`)
  }
  return body.token
}

export async function startRegistry (): Promise<Registry> {
  const dir = mkdtempSync(join(tmpdir(), 'zerodown-registry-'))
  const config = writeConfig(dir)
  const port = await freePort()
  const url = `http://127.0.0.1:${port}/`
  let log = ''
  const child = spawn(process.execPath, [VERDACCIO, '--config', config, '--listen', `127.0.0.1:${port}`], {
    cwd: dir,
    env: { ...process.env, ...npmCertificates() },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  child.stdout!.on('data', (chunk: Buffer) => { log += chunk.toString() })
  child.stderr!.on('data', (chunk: Buffer) => { log += chunk.toString() })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  // A test that times out ends without its teardown: the registry goes with it all the same.
  const killOnExit = (): void => { child.kill('SIGKILL') }
  process.once('exit', killOnExit)
  const stop = async (): Promise<void> => {
    process.removeListener('exit', killOnExit)
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      await exited
    }
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    await waitForPing(url, child, () => log)
    const token = await addUser(url)
    const npmrc = join(dir, 'user.npmrc')
    writeFileSync(npmrc, `registry=${url}\n`)
    return { url, dir, token, npmrc, output: () => log, stop }
  } catch (err) {
    await stop()
    throw err
  }
}
