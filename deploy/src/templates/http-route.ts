// The HTTPRoute (optional, Gateway API v1): attaches to the named Gateways and sends every rule to the Service.
import type { IHTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute'
import { metadata, type TemplateContext } from './context.js'

export function httpRoute (context: TemplateContext): IHTTPRoute {
  const { values, names } = context
  const settings = values.gateway
  const spec: NonNullable<IHTTPRoute['spec']> = {
    parentRefs: structuredClone(settings.parentRefs),
    rules: settings.rules.map((rule) => ({ ...structuredClone(rule), backendRefs: [{ name: names.fullname, port: values.service.port }] }))
  }
  if (settings.hostnames.length > 0) spec.hostnames = [...settings.hostnames]
  return { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: metadata(context, settings.annotations), spec }
}
