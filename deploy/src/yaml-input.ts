// YAML from a user's file, read in time linear in its size: the yaml library's own duplicate-key
// check compares every key with every other (16,000 keys took 9 s), so keys are checked here with a
// set per map instead, and the line of a duplicate is named.
import { isScalar, LineCounter, parseAllDocuments, visit, type Node } from 'yaml'

/** Why YAML text cannot be used: the first problem, with its line. */
export class YamlInputError extends Error {}

/** The aliases one document may expand: enough for any real file, and a "billion laughs" stays small. */
const MAX_ALIAS_COUNT = 100

function keyText (key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key)
}

/**
 * Every document of `text` as plain data (YAML 1.2, JSON included). Throws a YamlInputError on a syntax
 * error, a duplicate key in one map, or an alias bomb.
 */
export function parseYamlDocuments (text: string): unknown[] {
  const lineCounter = new LineCounter()
  const documents = parseAllDocuments(text, { uniqueKeys: false, lineCounter })
  // Every key of a parsed document is a node with a range, a null key (`? `) included.
  const line = (node: Node): number => lineCounter.linePos(node.range![0]).line
  // An empty text gives an EmptyStream: an empty array of documents.
  return documents.map((document) => {
    const [error] = document.errors
    if (error !== undefined) throw new YamlInputError(`not valid YAML: ${error.message.replace(/\n[\s\S]*$/, '').replace(/:$/, '')}`)
    visit(document, {
      Map (_key, map) {
        const seen = new Set<string>()
        for (const item of map.items) {
          const key = keyText(item.key)
          if (seen.has(key)) throw new YamlInputError(`not valid YAML: the key ${JSON.stringify(key)} appears twice in one map at line ${line(item.key as Node)}`)
          seen.add(key)
        }
      }
    })
    try {
      return document.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown
    } catch (err) {
      throw new YamlInputError(`cannot expand it: ${(err as Error).message}`)
    }
  })
}

/** The one document of `text` (an empty text is null). */
export function parseYamlDocument (text: string): unknown {
  const documents = parseYamlDocuments(text)
  if (documents.length > 1) throw new YamlInputError(`it holds ${documents.length} YAML documents; expected one`)
  return documents[0] ?? null
}
