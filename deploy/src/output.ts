// Writing rendered objects: multi-document YAML, or a folder that is a Kustomize base. Every string is
// written so that YAML 1.1 readers (kubectl, PyYAML, many CI tools) and YAML 1.2 readers read it back
// as the same string: `yes`, `off`, `012`, `1_000` or `12:30` are quoted.
import { closeSync, constants, lstatSync, mkdirSync, openSync, readSync, renameSync, rmSync, writeFileSync, type Stats } from 'node:fs'
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

/** At most this much of a manifest list is read: it names a dozen files. */
const MAX_MANIFEST_BYTES = 64 * 1024

/** The kind of `path` without following a link: undefined when nothing is there. */
function entryAt (path: string): Stats | undefined {
  try {
    return lstatSync(path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new DeployOutputDirError(path, (err as Error).message)
  }
}

/** Refuses a link at `path`: writing or reading through it could reach outside the folder. */
function refuseLink (path: string, stats: Stats | undefined): void {
  if (stats?.isSymbolicLink() === true) throw new DeployOutputDirError(path, 'it is a symbolic link, which zerodown-deploy never follows; remove it or choose another --output-dir')
}

/** The first `limit` bytes of the regular file at `path`, read without following a link. */
function readStart (path: string, limit: number): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW)
  try {
    const buffer = Buffer.alloc(limit)
    return buffer.subarray(0, readSync(fd, buffer, 0, limit, 0)).toString('utf8')
  } finally {
    closeSync(fd)
  }
}

/** The files an earlier render wrote into `dir`, from its manifest (plain file names only). */
function writtenBefore (dir: string): Set<string> {
  const path = join(dir, OUTPUT_MANIFEST)
  const stats = entryAt(path)
  refuseLink(path, stats)
  if (stats === undefined || !stats.isFile()) return new Set()
  return new Set(readStart(path, MAX_MANIFEST_BYTES).split('\n').filter((line) => /^[a-z0-9-]+\.yaml$/.test(line)))
}

/** A temporary file a render that was cut short left behind is removed; a link there is refused. */
function clearLeftover (path: string): void {
  const stats = entryAt(path)
  refuseLink(path, stats)
  if (stats?.isFile() === true) rmSync(path)
}

/** Writes `text` to a new file at `path`: fails if anything, a dangling link included, is already there. */
function createNew (path: string, text: string): void {
  writeFileSync(path, text, { flag: 'wx' })
}

/**
 * Writes one file per object plus kustomization.yaml into `dir` (created if missing) and returns
 * their paths. All or nothing: every file is written beside its target first and only then renamed
 * into place, so an error leaves the folder as it was. Files an earlier render wrote that no longer
 * apply (an Ingress switched off) are removed; a file zerodown-deploy did not write is never
 * overwritten or removed. Nothing is written outside `dir`: a link there, as the folder itself, a
 * target or a temporary name, is refused, and temporary files are created new (never opened if present).
 */
export function writeOutputDir (dir: string, objects: KubernetesObject[]): string[] {
  const contents = new Map<string, string>(objects.map((object) => [fileName(object), HEADER + safeYaml(object)]))
  contents.set('kustomization.yaml', HEADER + safeYaml(kustomization(objects)))
  const folder = entryAt(dir)
  refuseLink(dir, folder)
  if (folder !== undefined && !folder.isDirectory()) throw new DeployOutputDirError(dir, 'it is not a folder')
  mkdirSync(dir, { recursive: true })
  const before = writtenBefore(dir)
  const temporary = (name: string): string => join(dir, `.${name}.zerodown-tmp`)
  for (const name of contents.keys()) {
    const path = join(dir, name)
    const stats = entryAt(path)
    refuseLink(path, stats)
    if (stats === undefined || before.has(name)) continue
    // A file from a render before the manifest existed still carries the header.
    const ours = stats.isFile() && readStart(path, HEADER.length) === HEADER
    if (!ours) throw new DeployOutputDirError(path, 'it was not written by zerodown-deploy; move it away or choose another --output-dir')
  }
  const manifest = temporary(OUTPUT_MANIFEST)
  for (const path of [...[...contents.keys()].map(temporary), manifest]) clearLeftover(path)
  const staged: string[] = []
  try {
    for (const [name, text] of contents) {
      createNew(temporary(name), text)
      staged.push(temporary(name))
    }
  } catch (err) {
    // Only the files this render created: whatever else sits at a temporary name stays.
    for (const path of staged) rmSync(path)
    throw new DeployOutputDirError(dir, (err as Error).message)
  }
  // rename() replaces the directory entry itself: it never writes through what was there.
  for (const name of contents.keys()) renameSync(temporary(name), join(dir, name))
  createNew(manifest, [...contents.keys()].join('\n') + '\n')
  renameSync(manifest, join(dir, OUTPUT_MANIFEST))
  for (const name of before) if (!contents.has(name)) rmSync(join(dir, name), { force: true })
  return [...contents.keys()].map((name) => join(dir, name))
}
