// Writing rendered objects: multi-document YAML, or a folder that is a Kustomize base. Every string is
// written so that YAML 1.1 readers (kubectl, PyYAML, many CI tools) and YAML 1.2 readers read it back
// as the same string: `yes`, `off`, `012`, `1_000` or `12:30` are quoted.
import { existsSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Document, isScalar, parse, visit } from 'yaml'
import { DeployOutputDirError } from './errors.js'
import type { KubernetesObject } from './render.js'

const HEADER = '# Rendered by zerodown-deploy from the zerodown chart. Do not edit: change the values and render again.\n'

/** The file in an output folder that lists the files zerodown-deploy wrote there, one a line. */
export const OUTPUT_MANIFEST = '.zerodown-deploy-files'

/** True when a plain scalar `text` would be read as anything but this string by a YAML 1.1 or 1.2 reader. */
function ambiguous (text: string): boolean {
  try {
    return parse(text, { version: '1.1' }) !== text || parse(text, { version: '1.2' }) !== text
  } catch {
    return true
  }
}

/** YAML for one value, with every ambiguous string (keys included) double-quoted. */
export function safeYaml (value: unknown): string {
  const document = new Document(value)
  visit(document, {
    Scalar (_key, node) {
      if (isScalar(node) && typeof node.value === 'string' && node.type === undefined && ambiguous(node.value)) node.type = 'QUOTE_DOUBLE'
    }
  })
  return document.toString({ lineWidth: 0 })
}

/** One YAML stream: each object a document, separated by `---`, as `kubectl apply -f -` takes it. */
export function toYaml (objects: KubernetesObject[]): string {
  return HEADER + objects.map((object) => `---\n${safeYaml(object)}`).join('')
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

/** The files an earlier render wrote into `dir`, from its manifest (plain file names only). */
function writtenBefore (dir: string): Set<string> {
  const path = join(dir, OUTPUT_MANIFEST)
  if (!existsSync(path)) return new Set()
  return new Set(readFileSync(path, 'utf8').split('\n').filter((line) => /^[a-z0-9-]+\.yaml$/.test(line)))
}

/**
 * Writes one file per object plus kustomization.yaml into `dir` (created if missing) and returns
 * their paths. All or nothing: every file is written beside its target first and only then renamed
 * into place, so an error leaves the folder as it was. Files an earlier render wrote that no longer
 * apply (an Ingress switched off) are removed; a file zerodown-deploy did not write is never
 * overwritten or removed.
 */
export function writeOutputDir (dir: string, objects: KubernetesObject[]): string[] {
  const contents = new Map<string, string>(objects.map((object) => [fileName(object), HEADER + safeYaml(object)]))
  contents.set('kustomization.yaml', HEADER + safeYaml(kustomization(objects)))
  mkdirSync(dir, { recursive: true })
  const before = writtenBefore(dir)
  for (const name of contents.keys()) {
    const path = join(dir, name)
    if (!existsSync(path) || before.has(name)) continue
    // A file from a render before the manifest existed still carries the header.
    const ours = lstatSync(path).isFile() && readFileSync(path, 'utf8').startsWith(HEADER)
    if (!ours) throw new DeployOutputDirError(path, 'it was not written by zerodown-deploy; move it away or choose another --output-dir')
  }
  const staged: string[] = []
  try {
    for (const [name, text] of contents) {
      const temporary = join(dir, `.${name}.zerodown-tmp`)
      writeFileSync(temporary, text)
      staged.push(temporary)
    }
  } catch (err) {
    // Only the regular files this render made: whatever else sits at a temporary name stays.
    for (const temporary of staged) if (existsSync(temporary) && lstatSync(temporary).isFile()) rmSync(temporary)
    throw new DeployOutputDirError(dir, (err as Error).message)
  }
  for (const name of contents.keys()) renameSync(join(dir, `.${name}.zerodown-tmp`), join(dir, name))
  const manifest = join(dir, `.${OUTPUT_MANIFEST}.zerodown-tmp`)
  writeFileSync(manifest, [...contents.keys()].join('\n') + '\n')
  renameSync(manifest, join(dir, OUTPUT_MANIFEST))
  for (const name of before) if (!contents.has(name)) rmSync(join(dir, name), { force: true })
  return [...contents.keys()].map((name) => join(dir, name))
}
