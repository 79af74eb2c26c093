// The ConfigMap holding `config`, loaded into the container with envFrom (only when config has entries).
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap'
import { metadata, type TemplateContext } from './context.js'

export function configMap (context: TemplateContext): IConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: metadata(context), data: { ...context.values.config } }
}
