// The overhead's references are only fair if they send what the candidate sends: the same-header
// reference must answer with exactly the headers that @zerodown/version's server answers with.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { test } from 'tap'
import { startServerProcess } from '@zerodown/testkit'
import { ZERODOWN_SERVER } from '../src/paths.js'

async function headersOf (env: Record<string, string>): Promise<Record<string, string>> {
  const server = await startServerProcess({ args: [ZERODOWN_SERVER], env: { LOGGER: '0', ZERODOWN_APP_VERSION: '1.0.0', ...env } })
  try {
    const response = await fetch(`${server.origin}/`)
    await response.text()
    const headers = Object.fromEntries(response.headers)
    delete headers.date
    return headers
  } finally {
    server.signal('SIGKILL')
    await server.exited
  }
}

/** Runs the server expecting it to refuse its environment: its exit code and what it wrote to stderr. */
async function exitOf (env: Record<string, string>): Promise<{ code: number | null, stderr: string }> {
  const { ZERODOWN_APP_VERSION: _ignored, ...inherited } = process.env
  const child = spawn(process.execPath, [ZERODOWN_SERVER], { env: { ...inherited, LOGGER: '0', ...env }, stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
  const [code] = await once(child, 'close') as [number | null]
  return { code, stderr }
}

test('bare Fastify setting the same header answers with the version plugin\'s headers and values', async (t) => {
  const withPlugin = await headersOf({ WITH_PLUGINS: 'version' })
  const bare = await headersOf({ WITH_PLUGINS: '0' })
  t.equal(withPlugin['x-app-version'], '1.0.0', 'the plugin sends the header')
  for (const where of ['route', 'every-reply']) {
    t.same(await headersOf({ WITH_PLUGINS: '0', SAME_HEADER: where }), withPlugin, `set in ${where}`)
    t.same(await headersOf({ WITH_PLUGINS: '0', SAME_HEADER: where, PRELOAD: '1' }), withPlugin, `set in ${where}, the plugins' packages loaded`)
  }
  t.notOk('x-app-version' in bare, 'bare Fastify does not')
  t.same(await headersOf({ WITH_PLUGINS: '0', PRELOAD: '1' }), bare, 'loading the plugins\' packages registers nothing')
})

test('the benchmark server refuses a mode it does not know and a same-header reference it cannot be', async (t) => {
  const refusals: Array<[Record<string, string>, RegExp]> = [
    [{ WITH_PLUGINS: 'all' }, /WITH_PLUGINS must be one of 0, 1, shutdown, probes, version, got "all"/],
    [{ WITH_PLUGINS: 'version', SAME_HEADER: 'route' }, /SAME_HEADER=route needs WITH_PLUGINS=0 and ZERODOWN_APP_VERSION, got WITH_PLUGINS=version/],
    [{ WITH_PLUGINS: '0', SAME_HEADER: 'every-reply', ZERODOWN_APP_VERSION: '' }, /SAME_HEADER=every-reply needs .* got WITH_PLUGINS=0 and ZERODOWN_APP_VERSION=""/],
    [{ WITH_PLUGINS: '0', SAME_HEADER: '1' }, /SAME_HEADER must be one of route, every-reply, got "1"/]
  ]
  for (const [env, message] of refusals) {
    const { code, stderr } = await exitOf(env)
    t.not(code, 0, `${JSON.stringify(env)}: exits with an error`)
    t.match(stderr, message, `${JSON.stringify(env)}: says why`)
  }
})
