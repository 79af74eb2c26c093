// The forms a value can take, each with the one sentence that says what is expected. A plugin checks
// an option with `is`, an environment variable with `parse`; the chart's lint runs the same `parse`
// on the variables it renders, so both refuse the same values in the same words.

export interface Form<T> {
  /** What a good value looks like, as error messages say it: "a whole number from 0 to 65535". */
  readonly expected: string
  /** Whether a value given in code (a plugin option) has this form. */
  is: (value: unknown) => value is T
  /** An environment variable's text as a value of this form, or undefined when it is not one. */
  parse?: (raw: string) => T | undefined
}

/** The longest delay setTimeout() keeps: a longer one fires after 1 ms. */
export const MAX_TIMER_MS = 2_147_483_647

/** The longest version, commit or instance name sent in a header: far below any client's header limit (16 KiB in Node.js). */
export const MAX_HEADER_TEXT = 256

const DIGITS = /^\d+$/

/** A whole number from `min` to `max`; in the environment, digits only (no sign, unit, exponent or spaces). */
export function wholeNumber (min: number, max: number, expected: string): Form<number> {
  const is = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max
  return {
    expected,
    is,
    parse: (raw) => {
      const value = Number(raw)
      return DIGITS.test(raw) && is(value) ? value : undefined
    }
  }
}

/** Milliseconds a timer waits, from `min`, at most what setTimeout keeps. */
export function milliseconds (min: number, note = ''): Form<number> {
  return wholeNumber(min, MAX_TIMER_MS, `a whole number of milliseconds from ${min} to ${MAX_TIMER_MS}${note} (setTimeout's limit is about 24.8 days)`)
}

export const port: Form<number> = wholeNumber(0, 65535, 'a whole number from 0 to 65535 (0 = any free port)')

// "/" then unreserved characters and the sub-delimiters that mean nothing to a router: no route
// syntax (":" parameters, "*" wildcards, "(" regular expressions), no ";", "?", "#", "%" or spaces.
const LITERAL_PATH = /^\/[A-Za-z0-9\-._~!$&'+,=@/]{0,255}$/

/** A route path matched as written, on the app's port and on a probe port alike. */
export const literalPath: Form<string> = {
  expected: 'a literal path like "/readyz": "/" then at most 255 letters, digits or - . _ ~ ! $ & \' + , = @ / (no route syntax such as ":id" or "*", no query)',
  is: (value): value is string => typeof value === 'string' && LITERAL_PATH.test(value),
  parse: (raw) => (LITERAL_PATH.test(raw) ? raw : undefined)
}

// Printable ASCII, no leading or trailing space: safe in a header and in a log line.
const HEADER_TEXT = new RegExp(`^[\\x21-\\x7e](?:[\\x20-\\x7e]{0,${MAX_HEADER_TEXT - 2}}[\\x21-\\x7e])?$`)

/** Text sent in a response header: the version, the commit, the instance name. */
export const headerText: Form<string> = {
  expected: `at most ${MAX_HEADER_TEXT} printable ASCII characters, without line breaks or surrounding spaces (it is sent in an HTTP header)`,
  is: (value): value is string => typeof value === 'string' && HEADER_TEXT.test(value),
  parse: (raw) => (HEADER_TEXT.test(raw) ? raw : undefined)
}

// A calendar date, or a date and a time with its zone: what Date.parse reads the same on every engine.
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2})))?$/

function isIsoDate (text: string): boolean {
  const match = ISO_DATE.exec(text)
  if (match === null) return false
  const [year, month, day, hour = 0, minute = 0, second = 0, zoneHours = 0, zoneMinutes = 0] = match.slice(1).map((part) => Number(part ?? 0))
  const date = new Date(Date.UTC(year!, month! - 1, day!))
  return date.getUTCFullYear() === year && date.getUTCMonth() === month! - 1 && date.getUTCDate() === day &&
    hour! < 24 && minute! < 60 && second! < 60 && zoneHours! < 24 && zoneMinutes! < 60
}

/** An ISO 8601 date, strictly: `Date.parse` alone takes "1" and "foo 1". */
export const isoDate: Form<string> = {
  expected: 'an ISO 8601 date like 2026-11-25T10:00:00Z (a date, or a date and time with Z or an offset)',
  is: (value): value is string => typeof value === 'string' && isIsoDate(value),
  parse: (raw) => (isIsoDate(raw) ? raw : undefined)
}

// RFC 9110 token: what a header name may contain.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,128}$/

export const headerName: Form<string> = {
  expected: 'an HTTP header name like "x-app-version"',
  is: (value): value is string => typeof value === 'string' && TOKEN.test(value)
}

export const boolean: Form<boolean> = {
  expected: 'true or false',
  is: (value): value is boolean => typeof value === 'boolean'
}

/** Any string, described by what it is for. */
export function text (expected = 'a string'): Form<string> {
  return { expected, is: (value): value is string => typeof value === 'string' }
}

export const nonEmptyText: Form<string> = {
  expected: 'a non-empty string',
  is: (value): value is string => typeof value === 'string' && value !== ''
}

/** A finite number from `min` to `max` (fractions allowed). */
export function number (min: number, max: number, expected: string): Form<number> {
  return { expected, is: (value): value is number => typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max }
}

/** One of a few strings. */
export function oneOf<T extends string> (values: readonly T[]): Form<T> {
  return {
    expected: values.map((value) => JSON.stringify(value)).join(' or '),
    is: (value): value is T => (values as readonly unknown[]).includes(value)
  }
}

/** The form, or `false` to turn the feature off. */
export function orFalse<T> (form: Form<T>): Form<T | false> {
  return { expected: `false or ${form.expected}`, is: (value): value is T | false => value === false || form.is(value) }
}

/** An object of environment variables, like process.env. */
export const environment: Form<Record<string, string | undefined>> = {
  expected: 'an object of environment variables',
  is: (value): value is Record<string, string | undefined> => value !== null && typeof value === 'object' && !Array.isArray(value)
}
