// Each form at its limit and one past it, given in code and read from the environment.
import { test } from 'tap'
import { describeValue, forms, MAX_HEADER_TEXT, MAX_TIMER_MS } from '../src/index.js'

test('a value is described the same way everywhere: strings quoted, primitives as written, objects by kind', async (t) => {
  t.same([null, undefined, Number.NaN, -1.5, true, 10n, 'x', [1], {}, () => 1, Symbol('s')].map(describeValue),
    ['null', 'undefined', 'NaN', '-1.5', 'true', '10n', '"x"', 'an array', 'an object', 'a function', 'Symbol(s)'])
})

test('milliseconds: whole numbers up to setTimeout\'s limit; the environment takes digits only', async (t) => {
  const ms = forms.milliseconds(0)
  t.ok(ms.is(0) && ms.is(MAX_TIMER_MS), 'both ends')
  t.notOk(ms.is(MAX_TIMER_MS + 1), 'one past the limit')
  t.notOk(ms.is(-1) || ms.is(1.5) || ms.is(Number.NaN) || ms.is('5'), 'negative, fraction, NaN, text')
  t.equal(ms.parse!(String(MAX_TIMER_MS)), MAX_TIMER_MS)
  t.same(['2147483648', '-1', '1e3', ' 5', '5ms', '0x10', ''].map((raw) => ms.parse!(raw)), Array(7).fill(undefined))
  t.notOk(forms.milliseconds(1).is(0), 'a minimum of 1 refuses 0')
  t.match(ms.expected, /whole number of milliseconds from 0 to 2147483647/)
})

test('literal paths: what a router matches as written, and nothing it reads as syntax', async (t) => {
  const ok = ['/', '/readyz', '/health/ready', '/a-b_c.d~e', `/${'a'.repeat(255)}`]
  const bad = ['', 'readyz', '/*', '/:id', '/r?x=1', '/r#x', '/é', '/a b', '/a;b', '/a%20b', '/(a)', `/${'a'.repeat(256)}`, '/a\n']
  for (const path of ok) t.ok(forms.literalPath.is(path) && forms.literalPath.parse!(path) === path, `${path.slice(0, 20)} is literal`)
  for (const path of bad) t.notOk(forms.literalPath.is(path) || forms.literalPath.parse!(path) !== undefined, `${JSON.stringify(path.slice(0, 20))} is refused`)
})

test('header text: printable ASCII, no surrounding spaces, at most MAX_HEADER_TEXT characters', async (t) => {
  t.ok(forms.headerText.is('1.4.0') && forms.headerText.is('a b') && forms.headerText.is('x'.repeat(MAX_HEADER_TEXT)))
  for (const bad of ['', ' 1', '1 ', 'abc\r\nX', 'é', 'x'.repeat(MAX_HEADER_TEXT + 1), 20]) {
    t.notOk(forms.headerText.is(bad), `${describeValue(bad).slice(0, 20)} is refused`)
  }
  t.equal(forms.headerText.parse!('x'.repeat(MAX_HEADER_TEXT + 1)), undefined)
  t.equal(forms.headerText.parse!('1.4.0'), '1.4.0')
})

test('ISO 8601 dates, strictly: a real calendar date, a time only with its zone', async (t) => {
  for (const ok of ['2026-11-25', '2026-11-25T10:00Z', '2026-11-25T10:00:00Z', '2026-11-25T10:00:00.123+01:00', '2024-02-29T23:59:59-05:30']) {
    t.equal(forms.isoDate.parse!(ok), ok, ok)
  }
  for (const bad of ['1', 'foo 1', '2026-11-25T10:00:00', '2026-02-30', '2025-02-29', '2026-13-01', '2026-11-25T24:00Z', '2026-11-25T10:60Z', '2026-11-25T10:00:60Z', '2026-11-25T10:00+24:00', '26-11-25']) {
    t.equal(forms.isoDate.parse!(bad), undefined, `${bad} is refused`)
  }
  t.ok(forms.isoDate.is('2026-11-25') && !forms.isoDate.is(20261125))
})

test('the small forms: header names, booleans, one-of, false-or, numbers, text, environments', async (t) => {
  t.ok(forms.headerName.is('x-app-version') && !forms.headerName.is('x app') && !forms.headerName.is(''))
  t.ok(forms.boolean.is(false) && !forms.boolean.is('false'))
  const on = forms.oneOf(['routes', 'all'] as const)
  t.ok(on.is('all') && !on.is('none'))
  t.equal(on.expected, '"routes" or "all"')
  const path = forms.orFalse(forms.literalPath)
  t.ok(path.is(false) && path.is('/x') && !path.is(true))
  t.match(path.expected, /^false or a literal path/)
  const ratio = forms.number(0, 1, 'a number from 0 to 1')
  t.ok(ratio.is(0.5) && !ratio.is(1.5) && !ratio.is(Number.POSITIVE_INFINITY) && !ratio.is(Number.NaN))
  t.ok(forms.text().is('') && !forms.text().is(1))
  t.ok(forms.nonEmptyText.is('a') && !forms.nonEmptyText.is(''))
  t.ok(forms.environment.is({}) && !forms.environment.is(null) && !forms.environment.is([]))
  t.ok(forms.port.is(65535) && !forms.port.is(65536) && forms.port.parse!('0') === 0)
})
