// The API server's size limits, which the OpenAPI schema does not state: an object over one is
// refused at apply time, after lint said "no problems".
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment'
import type { Problem } from './problem.js'
import type { KubernetesObject } from './render.js'

/** A ConfigMap's data, all values together (Kubernetes' MaxSecretSize, which ConfigMaps share). */
const MAX_CONFIG_MAP_BYTES = 1024 * 1024
/** The annotations of one object, keys and values together (TotalAnnotationSizeLimitB). */
const MAX_ANNOTATION_BYTES = 256 * 1024

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8')

function annotationBytes (annotations: Record<string, string> | undefined): number {
  return Object.entries(annotations ?? {}).reduce((sum, [key, value]) => sum + bytes(key) + bytes(value), 0)
}

/** Where the annotations of each object come from, to name the values to shorten. */
const ANNOTATION_VALUES: Record<string, string> = {
  ServiceAccount: 'commonAnnotations and serviceAccount.annotations',
  Service: 'commonAnnotations and service.annotations',
  Ingress: 'commonAnnotations and ingress.annotations',
  HTTPRoute: 'commonAnnotations and gateway.annotations'
}

/** Every rendered object over a size limit of the API server. */
export function sizeProblems (objects: KubernetesObject[]): Problem[] {
  const problems: Problem[] = []
  for (const object of objects) {
    const name = `${object.kind}/${object.metadata?.name ?? ''}`
    const own = annotationBytes(object.metadata?.annotations)
    if (own > MAX_ANNOTATION_BYTES) {
      problems.push({ path: `${name} metadata.annotations`, message: `the annotations of ${name} total ${own} bytes (from ${ANNOTATION_VALUES[object.kind] ?? 'commonAnnotations'}), over the API server's limit of ${MAX_ANNOTATION_BYTES} bytes (256 KiB); move large data to a ConfigMap` })
    }
    if (object.kind === 'Deployment') {
      const pod = annotationBytes((object as IDeployment).spec?.template.metadata?.annotations)
      if (pod > MAX_ANNOTATION_BYTES) {
        problems.push({ path: 'podAnnotations', message: `the pod annotations total ${pod} bytes, over the API server's limit of ${MAX_ANNOTATION_BYTES} bytes (256 KiB); move large data to a ConfigMap` })
      }
    }
    if (object.kind === 'ConfigMap') {
      const data = Object.values(object.data ?? {}).reduce((sum, value) => sum + bytes(value), 0)
      if (data > MAX_CONFIG_MAP_BYTES) {
        problems.push({ path: 'config', message: `config holds ${data} bytes of values, over the API server's limit of ${MAX_CONFIG_MAP_BYTES} bytes (1 MiB) for a ConfigMap; mount large files from a volume instead` })
      }
    }
  }
  return problems
}
