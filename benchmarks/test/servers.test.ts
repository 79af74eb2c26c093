// The overhead's references are only fair if they send what the candidate sends: the same-header
// reference must answer with exactly the headers that @zerodown/version's server answers with.
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

test('bare Fastify setting the same header answers with the version plugin\'s headers and values', async (t) => {
  const withPlugin = await headersOf({ WITH_PLUGINS: 'version' })
  const sameHeader = await headersOf({ WITH_PLUGINS: '0', SAME_HEADER: '1' })
  const bare = await headersOf({ WITH_PLUGINS: '0' })
  t.equal(withPlugin['x-app-version'], '1.0.0', 'the plugin sends the header')
  t.same(sameHeader, withPlugin)
  t.notOk('x-app-version' in bare, 'bare Fastify does not')
})
