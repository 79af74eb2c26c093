// The Ingress (optional): routes each host's paths to the Service, with a TLS entry per certificate.
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress'
import { metadata, type TemplateContext } from './context.js'

export function ingress (context: TemplateContext): IIngress {
  const { values, names } = context
  const settings = values.ingress
  const backend = { service: { name: names.fullname, port: { name: 'http' } } }
  const spec: NonNullable<IIngress['spec']> = {
    rules: settings.hosts.map(({ host, paths }) => ({
      host,
      http: { paths: paths.map(({ path, pathType }) => ({ path, pathType, backend: structuredClone(backend) })) }
    }))
  }
  if (settings.className !== '') spec.ingressClassName = settings.className
  if (settings.tls.length > 0) spec.tls = settings.tls.map(({ secretName, hosts }) => ({ hosts: [...hosts], secretName }))
  return { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: metadata(context, settings.annotations), spec }
}
