// A real nginx in front of the pods, configured as the ingress model (ingress.ts) behaves:
// an upstream with idle keep-alive connections, `proxy_next_upstream error timeout`, 3 tries. When
// the endpoints it knows change (after their delays), its `upstream` block is rewritten and it is
// reloaded with `nginx -s reload`. It listens on 127.0.0.1 only, runs as the current user, and keeps
// its configuration, pid, logs and temporary files in a directory of its own, removed at the end.
// Unlike ingress-nginx, which changes endpoints without a reload, it closes client connections after
// each response (see keepalive_timeout below).
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir, userInfo } from 'node:os'
import { delimiter, join } from 'node:path'
import { promisify } from 'node:util'
import { EndpointTable, type Attribution, type Endpoint, type EndpointDelays, type TrafficProxy } from './endpoints.js'
import { freePort } from './loopback.js'
import { RehearseProxyError } from '../errors.js'
import { INGRESS } from './ingress.js'

const UPSTREAM_HEADER = 'x-zerodown-upstream'

/** The nginx executable on PATH, or undefined. */
export function findNginx (path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue
    const file = join(dir, 'nginx')
    try {
      accessSync(file, constants.X_OK)
      return file
    } catch {}
  }
  return undefined
}

/** The whole nginx.conf for these endpoints; with none, every request is answered 503 as ingress-nginx does. */
export function nginxConfig (dir: string, port: number, endpoints: Endpoint[]): string {
  const asRoot = process.getuid?.() === 0
  const servers = endpoints.map((e) => `    server 127.0.0.1:${e.port} max_fails=0; # ${e.pod}`).join('\n')
  const location = endpoints.length === 0
    ? '      return 503 "no endpoint is ready\\n";'
    : `      proxy_pass http://pods;
      proxy_http_version 1.1;
      # Upgrades (WebSocket) pass through, other requests use the pooled connections; event streams
      # are not buffered (ingress-nginx's defaults).
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_buffering off;
      proxy_next_upstream error timeout;
      proxy_next_upstream_tries ${INGRESS.tries};
      proxy_connect_timeout ${INGRESS.connectTimeoutMs / 1000}s;
      proxy_read_timeout ${INGRESS.readTimeoutMs / 1000}s;
      add_header ${UPSTREAM_HEADER} $upstream_addr always;`
  return `# Written by zerodown-rehearse --proxy nginx; rewritten when the endpoints change.
${asRoot ? `user ${userInfo().username};\n` : ''}daemon off;
master_process on;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${join(dir, 'client_body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
  # ingress-nginx changes endpoints without a reload; this driver reloads, and a reload closes the idle
  # client connections of the old worker (a client sending on one then sees a reset ingress-nginx never
  # causes), so clients connect per request. Upstream connections stay pooled, as in ingress-nginx.
  keepalive_timeout 0;
  map $http_upgrade $connection_upgrade { default upgrade; '' ''; }
${endpoints.length === 0
? ''
: `  upstream pods {
${servers}
    keepalive ${INGRESS.upstreamKeepAlive};
  }
`}  server {
    listen 127.0.0.1:${port};
    location / {
${location}
    }
  }
}
`
}

export class NginxProxy implements TrafficProxy {
  port = 0
  private readonly dir = mkdtempSync(join(tmpdir(), 'zerodown-nginx-'))
  private readonly endpoints: EndpointTable

  /** Where the load connects: the proxy's port on this machine's loopback. */
  get origin (): string {
    return `http://127.0.0.1:${this.port}`
  }

  get routing (): Endpoint[] {
    return this.endpoints.current
  }

  /** Every endpoint ever published, by port, to name the pod in `$upstream_addr`. */
  private readonly byPort = new Map<number, string>()
  private child?: ChildProcess
  private reloads: Promise<void> = Promise.resolve()
  private readonly conf = join(this.dir, 'nginx.conf')

  /**
   * `onProcess` is told nginx's process group as it starts and ends, like a pod's (the CLI's watchdog
   * kills it if the CLI itself is killed).
   */
  constructor (private readonly nginx: string, delays: EndpointDelays, private readonly onProcess: (pid: number, alive: boolean) => void = () => {}) {
    this.endpoints = new EndpointTable(delays, (current) => this.reload(current))
  }

  private args (...more: string[]): string[] {
    return ['-p', this.dir, '-e', join(this.dir, 'error.log'), '-c', this.conf, ...more]
  }

  async listen (): Promise<number> {
    this.port = await freePort()
    writeFileSync(this.conf, nginxConfig(this.dir, this.port, []))
    const child = spawn(this.nginx, this.args(), { stdio: ['ignore', 'ignore', 'pipe'], detached: true })
    this.child = child
    if (child.pid !== undefined) this.onProcess(child.pid, true)
    let stderr = ''
    child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    child.once('error', () => {})
    const deadline = Date.now() + 5000
    while (Date.now() < deadline) {
      const result = await Promise.race([exited.then(() => 'exited' as const), this.accepts().then((ok) => ok ? 'up' as const : 'retry' as const)])
      if (result === 'up') return this.port
      if (result === 'exited') break
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    await this.close()
    throw new RehearseProxyError('nginx', `it did not start: ${(stderr + this.errorLog()).trim().split('\n').slice(-3).join(' | ') || 'no output'}`)
  }

  private accepts (): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: this.port })
      socket.once('connect', () => { socket.destroy(); resolve(true) })
      socket.once('error', () => resolve(false))
    })
  }

  private errorLog (): string {
    try { return readFileSync(join(this.dir, 'error.log'), 'utf8') } catch { return '' }
  }

  publish (endpoints: Endpoint[]): void {
    for (const e of endpoints) this.byPort.set(e.port, e.pod)
    this.endpoints.publish(endpoints)
  }

  /** Rewrites the configuration and reloads, one reload at a time, in order. */
  private reload (current: Endpoint[]): void {
    const config = nginxConfig(this.dir, this.port, current)
    this.reloads = this.reloads.then(async () => {
      if (this.child === undefined) return
      writeFileSync(this.conf, config)
      await promisify(execFile)(this.nginx, this.args('-s', 'reload')).catch(() => {})
    })
  }

  /** `$upstream_addr` lists every upstream tried, the one that answered last. */
  attribute (_clientPort: number, headers?: Record<string, string | string[] | undefined>): Attribution {
    const upstream = headers?.[UPSTREAM_HEADER]
    if (typeof upstream !== 'string') return {}
    const tried = upstream.split(',')
    const pod = this.byPort.get(Number(tried.at(-1)?.trim().split(':').at(-1)))
    return { ...(pod !== undefined && { pod }), tries: tried.length }
  }

  async close (): Promise<void> {
    this.endpoints.close()
    await this.reloads
    const child = this.child
    this.child = undefined
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      const timer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL') } catch {} }, 3000)
      await exited
      clearTimeout(timer)
    }
    if (child?.pid !== undefined) this.onProcess(child.pid, false)
    rmSync(this.dir, { recursive: true, force: true })
  }
}
