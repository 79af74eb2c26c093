import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment'
import type { KubeVersion } from '../kube-version.js'
import type { Names } from '../names.js'
import type { Values } from '../values.js'

export type ObjectMeta = NonNullable<IDeployment['metadata']>

/** What every template gets: the checked values, the computed names and the target namespace. */
export interface TemplateContext {
  values: Values
  names: Names
  namespace: string | undefined
  /** The target Kubernetes (`--kube-version`); undefined: the current one. */
  kube: KubeVersion | undefined
}

/**
 * Metadata for an object of this release: its name, namespace when given, the common labels under
 * the chart's own (which win), and the common annotations under the object's own.
 */
export function metadata (context: TemplateContext, annotations: Record<string, string> = {}, name = context.names.fullname): ObjectMeta {
  const meta: ObjectMeta = { name }
  if (context.namespace !== undefined) meta.namespace = context.namespace
  meta.labels = { ...context.values.commonLabels, ...context.names.labels }
  const all = { ...context.values.commonAnnotations, ...annotations }
  if (Object.keys(all).length > 0) meta.annotations = all
  return meta
}
