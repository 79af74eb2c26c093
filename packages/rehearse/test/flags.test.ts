// The flag table is the one source of the parser and of --help: every flag it lists is printed with its
// help and accepted by the parser, and nothing else is.
import { test } from 'tap'
import { FLAGS, SECTIONS } from '../src/cli/flags.js'
import { USAGE } from '../src/cli/help.js'
import { parse, UsageError } from '../src/cli/parse.js'

test('--help is made from the table: every flag, its value and every line of its help, in its section', async (t) => {
  for (const flag of FLAGS) {
    const shown = `--${flag.name}${flag.value !== undefined ? ` ${flag.value}` : ''}`
    t.ok(USAGE.includes(shown), shown)
    for (const line of flag.help) t.ok(USAGE.includes(line), `${flag.name}: ${line}`)
  }
  const sections = SECTIONS.map((s) => USAGE.indexOf(`\n${s}\n`))
  t.ok(sections.every((at, i) => at > 0 && (i === 0 || at > sections[i - 1]!)), 'the sections in order')
  t.equal(new Set(FLAGS.map((f) => f.name)).size, FLAGS.length, 'each flag once')
})

test('the parser takes exactly the flags of the table', async (t) => {
  for (const flag of FLAGS) {
    const args = [`--${flag.name}`, ...(flag.type === 'boolean' ? [] : [flag.type === 'number' ? '1' : 'x.html'])]
    try {
      parse([...args, '--', 'node', 'app.js'])
    } catch (err) {
      t.notMatch((err as Error).message, /Unknown option/, `--${flag.name} is known`)
      continue
    }
    t.pass(`--${flag.name} parsed`)
  }
  t.throws(() => parse(['--no-such-flag']), /Unknown option '--no-such-flag'/)
  t.ok((() => { try { parse(['--no-such-flag']) } catch (err) { return err instanceof UsageError } return false })(), 'a usage error')
  t.throws(() => parse(['--rate', 'fast', '--', 'node', 'app.js']), /--rate expects a number, got "fast"/)
  t.equal(parse(['-h']).help, true)
})
