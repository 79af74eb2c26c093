// Chooses the traffic path between the load and the pods.
import type { EndpointDelays, TrafficProxy } from './endpoints.js'
import { RehearseProxyError } from '../errors.js'
import { IngressProxy } from './ingress.js'
import { findNginx, NginxProxy } from './nginx.js'
import { Service } from './kube-proxy.js'
import type { Clock } from '../timeline.js'

export const PROXIES = ['kube-proxy', 'ingress', 'nginx'] as const
export type ProxyKind = typeof PROXIES[number]

/** Throws RehearseProxyError when the proxy cannot run here (nginx not on PATH). */
export function createProxy (kind: ProxyKind, clock: Clock, delays: EndpointDelays, onProcess?: (pid: number, alive: boolean) => void): TrafficProxy {
  if (kind === 'ingress') return new IngressProxy(delays)
  if (kind === 'nginx') {
    const nginx = findNginx()
    if (nginx === undefined) throw new RehearseProxyError('nginx', 'no nginx executable on PATH (install it, e.g. apt-get install nginx, or use --proxy ingress, its model)')
    return new NginxProxy(nginx, delays, onProcess)
  }
  return new Service({ clock, ...delays })
}
