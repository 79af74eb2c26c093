// The endpoints of the Service as the EndpointSlice controller writes them (podToEndpoint), and which of
// them kube-proxy sends new connections to (CategorizeEndpoints; the fallback below since 1.26), R8 and R9:
// - a pod's endpoint is listed while its container runs, deleted or not;
// - ready = readiness passes and the pod is not deleted; serving = readiness passes; terminating = deleted;
// - kube-proxy uses the ready endpoints; when none is ready, the serving terminating ones (from 1.26:
//   before, a Service with no ready endpoint refuses new connections).
import type { Pod } from '../kubelet/pod.js'
import type { Endpoint } from '../traffic/endpoints.js'

export interface SliceEndpoint extends Endpoint {
  ready: boolean
  serving: boolean
  terminating: boolean
}

export function endpointSlice (pods: Pod[]): SliceEndpoint[] {
  return pods.filter((p) => p.running).map((p) => ({
    pod: p.name,
    port: p.port,
    ready: p.ready && !p.terminating,
    serving: p.ready,
    terminating: p.terminating
  }))
}

/** The endpoints kube-proxy routes new connections to; `fallback`: to terminating ones when none is ready. */
export function routable (slice: SliceEndpoint[], fallback = true): Endpoint[] {
  const ready = slice.filter((e) => e.ready)
  const chosen = ready.length > 0 || !fallback ? ready : slice.filter((e) => e.serving && e.terminating)
  return chosen.map(({ pod, port }) => ({ pod, port }))
}
