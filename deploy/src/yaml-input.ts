// YAML from a user's file, read in time linear in its size: the yaml library's own duplicate-key
// check compares every key with every other (16,000 keys took 9 s), so keys are checked here with a
// set per map instead, and the line of a duplicate is named.
import { isMap, isScalar, LineCounter, parseAllDocuments, visit, type Node } from 'yaml'

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
  const list = Array.isArray(documents) ? documents : []
  const line = (node: Node | null | undefined): string => {
    const offset = node?.range?.[0]
    return offset === undefined ? '' : ` at line ${lineCounter.linePos(offset).line}`
  }
  return list.map((document) => {
    const [error] = document.errors
    if (error !== undefined) throw new YamlInputError(`not valid YAML: ${error.message.split('\n')[0]?.replace(/:$/, '') ?? ''}`)
    visit(document, {
      Map (_key, map) {
        if (!isMap(map)) return
        const seen = new Set<string>()
        for (const item of map.items) {
          const key = keyText(item.key)
          if (seen.has(key)) throw new YamlInputError(`not valid YAML: the key ${JSON.stringify(key)} appears twice in one map${line(item.key as Node)}`)
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
