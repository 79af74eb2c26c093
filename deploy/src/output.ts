// Writing rendered objects: multi-document YAML, or a folder that is a Kustomize base.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { stringify } from 'yaml'
import type { KubernetesObject } from './render.js'

const HEADER = '# Rendered by zerodown-deploy from the zerodown chart. Do not edit: change the values and render again.\n'

function yamlOf (object: KubernetesObject): string {
  return stringify(object, { lineWidth: 0 })
}

/** One YAML stream: each object a document, separated by `---`, as `kubectl apply -f -` takes it. */
export function toYaml (objects: KubernetesObject[]): string {
  return HEADER + objects.map((object) => `---\n${yamlOf(object)}`).join('')
}

/** The file each object gets in an output folder: its kind, lowercased (each kind appears once). */
export function fileName (object: KubernetesObject): string {
  return `${object.kind.toLowerCase()}.yaml`
}

/** The kustomization.yaml that lists the files, so the folder works as a Kustomize base. */
export function kustomization (objects: KubernetesObject[]): Record<string, unknown> {
  return {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: objects.map(fileName)
  }
}

/** Writes one file per object plus kustomization.yaml into `dir` (created if missing); returns the paths. */
export function writeOutputDir (dir: string, objects: KubernetesObject[]): string[] {
  mkdirSync(dir, { recursive: true })
  const files = objects.map((object) => {
    const path = join(dir, fileName(object))
    writeFileSync(path, HEADER + yamlOf(object))
    return path
  })
  const path = join(dir, 'kustomization.yaml')
  writeFileSync(path, HEADER + stringify(kustomization(objects)))
  return [...files, path]
}
