// The command line's traffic options (proxy, endpoint delays, sweep, client model), kept together.
import type { LoadOptions } from './load.js'
import type { RehearseOptions } from './options.js'
import { PROXIES, type ProxyKind } from './proxy.js'
import { SWEEP_DEFAULTS, type SweepOptions } from './sweep.js'

export const TRAFFIC_USAGE = `Traffic
  --proxy P                  the path to the pods: kube-proxy (L4, pins connections; default), ingress
                             (an L7 model: per-request balancing, pooled upstream connections, retries,
                             502/503/504) or nginx (a real nginx found on PATH, configured the same way)
  --add-delay-ms N           how long a new ready endpoint takes to reach the proxy
  --remove-delay-ms N        how long a deleted or unready endpoint takes to leave it
                             (both default to the propagation delay)
  --sweep                    rehearse at removal delays rising from it by --sweep-step-ms (default
                             ${SWEEP_DEFAULTS.stepMs}), at most --sweep-runs times (default ${SWEEP_DEFAULTS.maxRuns}), and report the largest
                             that passes: the rollout's safety margin
  --open-loop                send the rate on schedule, late or not, over a pool of --connections;
                             latency counts from when a request was due
  --burst-ms N               open loop: send each N ms worth of requests at once, the pool idle between
  --client-retries N         retry an idempotent request refused, reset or answered 502/503/504 (default 0)
`

export const TRAFFIC_ARGS = {
  proxy: { type: 'string' },
  'add-delay-ms': { type: 'string' },
  'remove-delay-ms': { type: 'string' },
  sweep: { type: 'boolean' },
  'sweep-step-ms': { type: 'string' },
  'sweep-runs': { type: 'string' },
  'open-loop': { type: 'boolean' },
  'burst-ms': { type: 'string' },
  'client-retries': { type: 'string' }
} as const

type Values = Partial<Record<keyof typeof TRAFFIC_ARGS, string | boolean>>
type NumberArg = (flag: string, value: string | undefined) => number | undefined

/** Fills the traffic options in; returns the sweep asked for, if any. Throws `usage(message)` on bad input. */
export function trafficOptions (values: Values, number: NumberArg, options: RehearseOptions, load: LoadOptions, usage: (message: string) => Error): SweepOptions | undefined {
  const str = (key: keyof typeof TRAFFIC_ARGS): string | undefined => values[key] as string | undefined
  const proxy = str('proxy')
  if (proxy !== undefined) {
    if (!(PROXIES as readonly string[]).includes(proxy)) throw usage(`--proxy expects one of ${PROXIES.join(', ')}, got ${JSON.stringify(proxy)}`)
    options.proxy = proxy as ProxyKind
  }
  const add = number('add-delay-ms', str('add-delay-ms'))
  if (add !== undefined) options.addDelayMs = add
  const remove = number('remove-delay-ms', str('remove-delay-ms'))
  if (remove !== undefined) options.removeDelayMs = remove
  if (values['open-loop'] === true) load.model = 'open'
  const burst = number('burst-ms', str('burst-ms'))
  if (burst !== undefined) {
    if (load.model !== 'open') throw usage('--burst-ms needs --open-loop')
    load.burstMs = burst
  }
  const retries = number('client-retries', str('client-retries'))
  if (retries !== undefined) load.retries = retries
  const stepMs = number('sweep-step-ms', str('sweep-step-ms'))
  const maxRuns = number('sweep-runs', str('sweep-runs'))
  if (values.sweep !== true) {
    if (stepMs !== undefined || maxRuns !== undefined) throw usage('--sweep-step-ms and --sweep-runs need --sweep')
    return undefined
  }
  return { ...(stepMs !== undefined && { stepMs }), ...(maxRuns !== undefined && { maxRuns }) }
}
