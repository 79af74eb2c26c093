// The NetworkPolicy (optional): only the app port (from the allowed sources) and the probe port are reachable.
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy'
import { metadata, type TemplateContext } from './context.js'

type Rule = NonNullable<NonNullable<INetworkPolicy['spec']>['ingress']>[number]

export function networkPolicy (context: TemplateContext): INetworkPolicy {
  const { values, names } = context
  const app: Rule = { ports: [{ port: 'http', protocol: 'TCP' }] }
  if (values.networkPolicy.from.length > 0) app.from = structuredClone(values.networkPolicy.from)
  const rules: Rule[] = [app]
  // The kubelet must always reach the probes; a separate probe port is not exposed through the Service.
  if (values.probes.port !== null) rules.push({ ports: [{ port: 'probes', protocol: 'TCP' }] })
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: metadata(context),
    spec: { podSelector: { matchLabels: { ...names.selector } }, policyTypes: ['Ingress'], ingress: rules }
  }
}
