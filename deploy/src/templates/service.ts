// The Service: ClusterIP by default, NodePort or LoadBalancer by value; it targets the named "http" port.
import type { IService } from 'kubernetes-models/v1/Service'
import { metadata, type TemplateContext } from './context.js'

export function service (context: TemplateContext): IService {
  const { values, names } = context
  const port: NonNullable<NonNullable<IService['spec']>['ports']>[number] = {
    name: 'http',
    port: values.service.port,
    targetPort: 'http',
    protocol: 'TCP'
  }
  if (values.service.type !== 'ClusterIP' && values.service.nodePort !== null) port.nodePort = values.service.nodePort
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadata(context, values.service.annotations),
    spec: { type: values.service.type, selector: { ...names.selector }, ports: [port] }
  }
}
