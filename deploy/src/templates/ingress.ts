// The Ingress (optional): routes a host and path prefix to the Service, with TLS when a secret is named.
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress'
import { metadata, type TemplateContext } from './context.js'

export function ingress (context: TemplateContext): IIngress {
  const { values, names } = context
  const settings = values.ingress
  const spec: NonNullable<IIngress['spec']> = {
    rules: [{
      host: settings.host,
      http: {
        paths: [{
          path: settings.path,
          pathType: 'Prefix',
          backend: { service: { name: names.fullname, port: { name: 'http' } } }
        }]
      }
    }]
  }
  if (settings.className !== '') spec.ingressClassName = settings.className
  if (settings.tlsSecretName !== '') spec.tls = [{ hosts: [settings.host], secretName: settings.tlsSecretName }]
  return { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: metadata(context, settings.annotations), spec }
}
