// One probe worker, as the kubelet runs it (pkg/kubelet/prober/worker.go): a result flips only after
// `threshold` consecutive results the other way; a probe that times out is a failure (R5).
import { get } from 'node:http'
import type { ProbeSpec } from '../manifest/manifest.js'

export type ProbeKind = 'startup' | 'readiness' | 'liveness'

/** GET http://127.0.0.1:port/path on a fresh connection; success is a status from 200 to 399. */
export function httpProbe (port: number, path: string, timeoutMs: number): Promise<{ ok: boolean, detail: string }> {
  return new Promise((resolve) => {
    const req = get({ host: '127.0.0.1', port, path, agent: false, headers: { 'user-agent': 'kube-probe/1.34', connection: 'close' } }, (res) => {
      res.resume()
      const status = res.statusCode ?? 0
      clearTimeout(timer)
      resolve({ ok: status >= 200 && status < 400, detail: `HTTP ${status}` })
    })
    const timer = setTimeout(() => {
      req.destroy()
      resolve({ ok: false, detail: `timeout after ${timeoutMs} ms` })
    }, timeoutMs)
    timer.unref()
    req.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      resolve({ ok: false, detail: err.code ?? err.message })
    })
  })
}

/** The threshold logic alone: feed it raw results, read the settled result. */
export class ProbeResult {
  result: boolean | undefined
  private last: boolean | undefined
  private run = 0

  constructor (private readonly spec: Pick<ProbeSpec, 'successThreshold' | 'failureThreshold'>, initial: boolean | undefined) {
    this.result = initial
  }

  /** Records one probe outcome; returns true when the settled result changed. */
  observe (ok: boolean): boolean {
    this.run = ok === this.last ? this.run + 1 : 1
    this.last = ok
    const threshold = ok ? this.spec.successThreshold : this.spec.failureThreshold
    if (this.run < threshold || this.result === ok) return false
    this.result = ok
    return true
  }
}

export interface ProbeWorkerOptions {
  kind: ProbeKind
  spec: ProbeSpec
  port: number
  /** Whether to probe at this tick (liveness and readiness wait for startup success). */
  gate: () => boolean
  onChange: (ok: boolean, detail: string) => void
  onFailure?: (detail: string) => void
}

/** Probes every periodSeconds after initialDelaySeconds, until stopped. */
export class ProbeWorker {
  readonly state: ProbeResult
  private timer: NodeJS.Timeout | undefined
  private stopped = false

  constructor (private readonly opts: ProbeWorkerOptions) {
    // Readiness starts as failure, liveness as success, startup as unknown.
    this.state = new ProbeResult(opts.spec, opts.kind === 'readiness' ? false : opts.kind === 'liveness' ? true : undefined)
  }

  start (): void {
    this.schedule(this.opts.spec.initialDelaySeconds * 1000)
  }

  stop (): void {
    this.stopped = true
    clearTimeout(this.timer)
  }

  private schedule (ms: number): void {
    if (this.stopped) return
    this.timer = setTimeout(() => { this.tick().catch(() => {}) }, ms)
    this.timer.unref()
  }

  private async tick (): Promise<void> {
    const started = performance.now()
    if (this.opts.gate()) {
      const { spec } = this.opts
      const { ok, detail } = await httpProbe(this.opts.port, spec.path, spec.timeoutSeconds * 1000)
      if (this.stopped) return
      if (!ok) this.opts.onFailure?.(detail)
      if (this.state.observe(ok)) this.opts.onChange(ok, detail)
    }
    const period = this.opts.spec.periodSeconds * 1000
    this.schedule(Math.max(0, period - (performance.now() - started)))
  }
}
