// The ConfigMap holding `config`, loaded into the container with envFrom (only when config has entries).
// Named by a hash of its content, as Kustomize's configMapGenerator does: a change makes a new
// ConfigMap and a new pod template, and `kubectl rollout undo` brings back the pods with the name
// of the ConfigMap they ran with.
import { createHash } from 'node:crypto'
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap'
import type { Values } from '../values.js'
import { metadata, type TemplateContext } from './context.js'

/** sha256 of the configuration, keys sorted, in hex. */
export function configChecksum (values: Values): string {
  const sorted = Object.fromEntries(Object.entries(values.config).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex')
}

/** `<fullname>-<first 10 hex digits of the checksum>`: at most 74 characters, within the 253 a ConfigMap name may have. */
export function configMapName (context: TemplateContext): string {
  return `${context.names.fullname}-${configChecksum(context.values).slice(0, 10)}`
}

export function configMap (context: TemplateContext): IConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: metadata(context, {}, configMapName(context)), data: { ...context.values.config } }
}
