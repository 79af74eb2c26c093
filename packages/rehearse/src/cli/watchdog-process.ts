// The watchdog: a process of its own that the CLI tells, on its stdin, every pod process group as it
// starts (+pid) and ends (-pid) and every container run (=id, ~id). When its stdin closes — the CLI is
// gone, killed or crashed — it kills every group and removes every run's containers, then exits.
import { killGroupsLater, sweepRun } from './orphans.js'

const groups = new Set<number>()
const runs = new Set<string>()
let buffer = ''

process.stdin.setEncoding('utf8')
process.stdin.on('data', (chunk: string) => {
  buffer += chunk
  let end
  while ((end = buffer.indexOf('\n')) >= 0) {
    const line = buffer.slice(0, end)
    buffer = buffer.slice(end + 1)
    const [sign, rest] = [line[0], line.slice(1)]
    if (sign === '=') runs.add(rest)
    else if (sign === '~') runs.delete(rest)
    else if (sign === '+') groups.add(Number(rest))
    else if (sign === '-') groups.delete(Number(rest))
  }
})

const killAll = (): void => killGroupsLater(groups, () => {
  for (const run of runs) sweepRun(run)
  process.exit(0)
})
process.stdin.on('end', killAll)
process.stdin.on('error', killAll)
// A Ctrl+C reaches the whole terminal's group: the CLI handles it; the watchdog waits for its stdin.
process.on('SIGINT', () => {})
