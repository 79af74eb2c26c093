import { test, type Test } from 'tap'
import { buildApp, PREFIX, VERSION } from '../../src/app.js'
import { ENTRIES } from '../../src/entries/index.js'
import { ORDERS, PLACES } from '../../src/entry.js'
import { connectClient, serverOptions, type Client, type Reply, type Transport } from '../../src/transports.js'

/**
 * Every ecosystem plugin × registered before or after the zerodown plugins × at the root or in an
 * encapsulated context with a prefix, over one transport: the plugin's feature works, the common
 * routes answer, /version and /readyz answer, and every reply carries x-app-version.
 */
export function runMatrix (transport: Transport): void {
  for (const entry of ENTRIES) {
    for (const order of ORDERS) {
      for (const place of PLACES) {
        const where = place === 'root' ? 'at the root' : `in an encapsulated context at ${PREFIX}`
        test(`${entry.name}, registered ${order} the zerodown plugins, ${where}, over ${transport}`, async (t) => {
          const server = serverOptions(transport)
          const { app, scope, base } = await buildApp({ entry, order, place, server, shutdown: { exit: false, drainDelay: 0 } })
          t.teardown(() => app.close())
          const client = await connectClient(app, transport)
          t.teardown(() => client.close()) // teardowns run last first: the client, then the app
          await entry.check(t, { client, scope, base, order, place })
          await checkCommon(t, client, base)
          checkHeaders(t, client)
        })
      }
    }
  }
}

const json = (reply: Reply): unknown => JSON.parse(reply.body.toString())

async function checkCommon (t: Test, client: Client, base: string): Promise<void> {
  const hello = await client.request({ path: `${base}/hello` })
  t.equal(hello.status, 200, 'a route behind the plugin')
  t.same(json(hello), { hello: 'world' })
  t.equal((await client.request({ path: `${base}/no-such-route` })).status, 404, 'a 404')
  t.equal((await client.request({ path: `${base}/boom` })).status, 500, 'a handler that throws: 500')
  const version = await client.request({ path: '/version' })
  t.match(json(version), { version: VERSION }, '/version')
  // inject() never listens: the lifecycle stays `starting`, and readiness says so.
  const ready = client.transport === 'inject' ? 503 : 200
  t.equal((await client.request({ path: '/readyz' })).status, ready, `/readyz: ${ready}`)
}

function checkHeaders (t: Test, client: Client): void {
  const describe = (r: Reply): string => `${r.method} ${r.path}: ${r.status}, x-app-version ${r.headers['x-app-version'] ?? 'none'}`
  t.same(client.replies.filter((r) => r.gap === undefined && r.headers['x-app-version'] !== VERSION).map(describe), [],
    `x-app-version on every reply (${client.replies.length})`)
  t.same(client.replies.filter((r) => r.gap !== undefined && r.headers['x-app-version'] !== undefined).map(describe), [],
    'the documented gaps still go without it (a fix: update src/gaps.ts and the README)')
}
