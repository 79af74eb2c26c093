import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment'
import type { Names } from '../names.js'
import type { Values } from '../values.js'

export type ObjectMeta = NonNullable<IDeployment['metadata']>

/** What every template gets: the checked values, the computed names and the target namespace. */
export interface TemplateContext {
  values: Values
  names: Names
  namespace: string | undefined
}

/** Metadata for an object of this release: its name, namespace when given, labels and annotations. */
export function metadata (context: TemplateContext, annotations: Record<string, string> = {}): ObjectMeta {
  const meta: ObjectMeta = { name: context.names.fullname }
  if (context.namespace !== undefined) meta.namespace = context.namespace
  meta.labels = { ...context.names.labels }
  if (Object.keys(annotations).length > 0) meta.annotations = { ...annotations }
  return meta
}
