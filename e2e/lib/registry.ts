// A real npm registry on 127.0.0.1: Verdaccio with the repository's config (registry/config.yaml),
// run from a temporary folder that holds its storage. Ours (@zerodown/*) has no uplink; everything
// else is proxied from the registry npm is configured with on this machine.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
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

export async function freePort (): Promise<number> {
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

// marker: what this Verdaccio sends as X-Powered-By (its user_agent), to tell it from any other
// server, another line's Verdaccio included.
function writeConfig (dir: string, marker: string): string {
  const source = readFileSync(CONFIG, 'utf8')
  const uplink = '    url: https://registry.npmjs.org/\n'
  if (!source.includes(uplink)) throw new Error(`${CONFIG} has no npmjs uplink line to point at ${upstreamRegistry()}`)
  const file = join(dir, 'config.yaml')
  writeFileSync(file, `${source.replace(uplink, `    url: ${upstreamRegistry()}\n`)}user_agent: ${marker}\n`)
  return file
}

// Another process may take the port between freePort() and Verdaccio's listen (the Node.js lines
// run side by side): Verdaccio then exits with EADDRINUSE, or the other process answers the ping.
class PortTaken extends Error {}

async function waitForPing (url: string, marker: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + START_LIMIT_MS
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      const message = `verdaccio exited with code ${child.exitCode}:\n${output()}`
      throw output().includes('EADDRINUSE') ? new PortTaken(message) : new Error(message)
    }
    let res: Response | undefined
    try {
      res = await fetch(new URL('-/ping', url))
    } catch {
      // not listening yet
    }
    if (res !== undefined) {
      if (res.headers.get('x-powered-by') !== marker) {
        throw new PortTaken(`${url} answered ${res.status}, but not as this Verdaccio: another process has the port`)
      }
      if (res.ok) return
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

/** Starts Verdaccio on a port from pickPort, trying two more ports if another process had it. */
export async function startRegistry (pickPort: () => Promise<number> = freePort): Promise<Registry> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startRegistryOn(await pickPort())
    } catch (err) {
      if (!(err instanceof PortTaken) || attempt === 3) throw err
    }
  }
}

async function startRegistryOn (port: number): Promise<Registry> {
  const dir = mkdtempSync(join(tmpdir(), 'zerodown-registry-'))
  const marker = `zerodown-e2e-${randomUUID()}`
  const config = writeConfig(dir, marker)
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
    await waitForPing(url, marker, child, () => log)
    const token = await addUser(url)
    const npmrc = join(dir, 'user.npmrc')
    writeFileSync(npmrc, `registry=${url}\n`)
    return { url, dir, token, npmrc, output: () => log, stop }
  } catch (err) {
    await stop()
    throw err
  }
}
