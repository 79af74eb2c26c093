// The YAML reader the CLIs share: linear duplicate-key checks that still see every kind of key.
import { test } from 'tap'
import { parseYamlDocument, parseYamlDocuments, YamlInputError } from '../src/yaml-input.js'

test('documents as plain data; an empty text is no document, and one document is asked for', async (t) => {
  t.same(parseYamlDocuments(''), [])
  t.equal(parseYamlDocument(''), null)
  t.throws(() => parseYamlDocument('a: 1\n---\nb: 2\n'), { message: 'it holds 2 YAML documents; expected one' })
  t.same(parseYamlDocuments('a: 1\n---\n[1, 2]\n'), [{ a: 1 }, [1, 2]])
  t.same(parseYamlDocument('{"a": {"b": [true, null]}}'), { a: { b: [true, null] } }, 'JSON is YAML')
  t.same(parseYamlDocument('a: &x [1]\nb: *x\n'), { a: [1], b: [1] }, 'a few aliases are fine')
})

test('a key twice in one map is refused with its line, whatever kind of key; the same key in two maps is not', async (t) => {
  const cases: Array<[string, RegExp]> = [
    ['a: 1\nb: 2\na: 3\n', /^not valid YAML: the key "a" appears twice in one map at line 3$/],
    ['"1": x\n1: y\n', /the key "1" appears twice in one map at line 2$/],
    ['outer:\n  inner: 1\n  inner: 2\n', /the key "inner" appears twice in one map at line 3$/],
    ['? [a, b]\n: 1\n? [a, b]\n: 2\n', /the key "\[\\"a\\",\\"b\\"\]" appears twice in one map at line 3$/],
    ['{"a": 1, "a": 2}', /the key "a" appears twice in one map at line 1$/],
    ['?\n: 1\n?\n: 2\n', /^not valid YAML: the key "null" appears twice in one map at line 3$/],
    ['a: [\n', /^not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a \] at line 2, column 1$/]
  ]
  for (const [text, message] of cases) t.throws(() => parseYamlDocuments(text), { name: 'Error', message }, JSON.stringify(text))
  t.ok(new YamlInputError('x') instanceof Error)
  const bomb = 'a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n'
  t.throws(() => parseYamlDocuments(bomb), { message: 'cannot expand it: Excessive alias count indicates a resource exhaustion attack' }, 'an alias bomb')
  t.same(parseYamlDocument('a: { k: 1 }\nb: { k: 2 }\n'), { a: { k: 1 }, b: { k: 2 } })
})
