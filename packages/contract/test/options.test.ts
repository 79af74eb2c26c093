// The declarative checker: wrong forms, unknown keys with the nearest known one, nested objects.
import { test } from 'tap'
import { checkOptions, closest, forms, object, type Shape } from '../src/index.js'

class InvalidOption extends Error {
  constructor (readonly option: string, readonly expected: string, readonly got: string) {
    super(`option "${option}": expected ${expected}, got ${got}`)
  }
}

const shape: Shape = {
  timeout: forms.milliseconds(0),
  exit: forms.boolean,
  paths: object({ readiness: forms.orFalse(forms.literalPath), liveness: forms.orFalse(forms.literalPath) }, 'an object like { readiness: "/readyz" }'),
  pressure: object({ maxEventLoopDelay: forms.milliseconds(0) }, 'false or an object', { allowsFalse: true })
}
const check = (options: unknown): void => checkOptions(shape, options, InvalidOption)
/** What `check` threw, to match its fields. */
function refusal (options: unknown): InvalidOption | undefined {
  try {
    check(options)
  } catch (err) {
    return err as InvalidOption
  }
  return undefined
}

test('good options, Fastify\'s own register keys and a feature turned off pass', async (t) => {
  t.doesNotThrow(() => check({}))
  t.doesNotThrow(() => check({ timeout: 5, exit: false, paths: { readiness: false }, pressure: false, prefix: '/api', logLevel: 'warn', logSerializers: {} }))
  t.doesNotThrow(() => check({ timeout: undefined, pressure: { maxEventLoopDelay: 0 } }))
})

test('a bad option names itself, what it must be and what it was', async (t) => {
  t.match(refusal(null), { option: 'options', expected: 'an object', got: 'null' })
  t.match(refusal({ timeout: Number.NaN }), { option: 'timeout', got: 'NaN' })
  t.match(refusal({ paths: '/x' }), { option: 'paths', expected: 'an object like { readiness: "/readyz" }', got: '"/x"' })
  t.match(refusal({ paths: false }), { option: 'paths', got: 'false' }, 'false only where it turns a feature off')
  t.match(refusal({ paths: { readiness: '/:id' } }), { option: 'paths.readiness', got: '"/:id"' })
  t.match(refusal({ pressure: { maxEventLoopDelay: -1 } }), { option: 'pressure.maxEventLoopDelay', got: '-1' })
})

test('a misspelled key names the nearest known one; a key far from all of them lists them', async (t) => {
  t.match(refusal({ tiemout: 5 }), { option: 'tiemout', expected: 'a known option: did you mean "timeout"?', got: 'an unknown key' })
  t.match(refusal({ pressure: { maxEventLoopDelai: 5 } }), { option: 'pressure.maxEventLoopDelai', expected: 'a known option: did you mean "pressure.maxEventLoopDelay"?' })
  t.match(refusal({ paths: { readyness: '/r' } }), { option: 'paths.readyness', expected: 'a known option: did you mean "paths.readiness"?' })
  t.match(refusal({ pressure: { maxEventLoop: 5 } }), { option: 'pressure.maxEventLoop', expected: 'a known option: did you mean "pressure.maxEventLoopDelay"?' }, 'a key cut short')
  t.match(refusal({ paths: { prefix: '/r' } }), { option: 'paths.prefix', expected: 'one of "paths.readiness", "paths.liveness"' }, 'Fastify\'s keys only at the top')
  t.match(refusal({ colour: 'red' }), { option: 'colour', expected: 'one of "timeout", "exit", "paths", "pressure"' })
})

test('closest: case-blind, within a third of the word', async (t) => {
  t.equal(closest('TIMEOUT', ['timeout', 'exit']), 'timeout')
  t.equal(closest('xyz', ['timeout', 'exit']), undefined)
  t.equal(closest('ti', ['timeout', 'exit']), undefined, 'two letters begin too many words to guess')
  t.equal(closest('drainDelai', ['drainDelay', 'timeout']), 'drainDelay')
})
