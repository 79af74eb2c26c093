// Declarative plugin options: each plugin states the form of every option, and one checker refuses
// a wrong type, range or form, and an unknown key (naming the nearest known one), in the plugin's
// own coded error.
import { closest } from './closest.js'
import { describeValue } from './describe.js'
import type { Form } from './forms.js'

/** An option that is an object of options of its own, like `paths` or `pressure`. */
export interface ObjectForm {
  readonly expected: string
  readonly shape: Shape
  /** `false` turns the feature off. */
  readonly allowsFalse: boolean
}

export type Shape = Readonly<Record<string, Form<unknown> | ObjectForm>>

/** Makes the plugin's coded error for a bad option (its constructor takes these three). */
export type InvalidOption = new (option: string, expected: string, got: string) => Error

/** Options Fastify itself reads from every register() call, so every plugin receives them too. */
export const FASTIFY_REGISTER_KEYS: readonly string[] = Object.freeze(['prefix', 'logLevel', 'logSerializers'])

export function object (shape: Shape, expected: string, { allowsFalse = false } = {}): ObjectForm {
  return { expected, shape, allowsFalse }
}

export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

/** Throws the plugin's error for the first option that does not fit `shape`, or that `shape` does not know. */
export function checkOptions (shape: Shape, options: unknown, Invalid: InvalidOption): void {
  if (!isPlainObject(options)) throw new Invalid('options', 'an object', describeValue(options))
  checkShape(shape, options, '', Invalid, FASTIFY_REGISTER_KEYS)
}

function checkShape (shape: Shape, given: Record<string, unknown>, prefix: string, Invalid: InvalidOption, allowed: readonly string[] = []): void {
  const known = Object.keys(shape)
  for (const key of Object.keys(given)) {
    if (Object.hasOwn(shape, key) || allowed.includes(key)) continue
    const near = closest(key, known)
    const expected = near === undefined ? `one of ${known.map((k) => `"${prefix}${k}"`).join(', ')}` : `a known option: did you mean "${prefix}${near}"?`
    throw new Invalid(prefix + key, expected, 'an unknown key')
  }
  for (const [key, form] of Object.entries(shape)) {
    const value = given[key]
    if (value === undefined) continue
    if (!('shape' in form)) {
      if (!form.is(value)) throw new Invalid(prefix + key, form.expected, describeValue(value))
    } else if (!(value === false && form.allowsFalse)) {
      if (!isPlainObject(value)) throw new Invalid(prefix + key, form.expected, describeValue(value))
      checkShape(form.shape, value, `${prefix}${key}.`, Invalid)
    }
  }
}
