// The ServiceAccount: the app talks to no Kubernetes API, so its token is not mounted.
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount'
import { metadata, type TemplateContext } from './context.js'

export function serviceAccount (context: TemplateContext): IServiceAccount {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { ...metadata(context, context.values.serviceAccount.annotations), name: context.names.serviceAccount },
    automountServiceAccountToken: false
  }
}
