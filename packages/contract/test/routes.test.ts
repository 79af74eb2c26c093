// claimRoute on a real Fastify instance: a collision is the caller's error, whichever route comes first.
import Fastify from 'fastify'
import { test } from 'tap'
import { claimRoute } from '../src/index.js'

const taken = (): Error => new Error('taken')

test('the app\'s route first: registering the claimed one throws the caller\'s error', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  app.get('/status', async () => 'app')
  t.throws(() => claimRoute(app, '/status', taken, () => app.get('/status', async () => 'plugin')), { message: 'taken' })
})

test('the claimed route first: a later GET or HEAD on the path throws, other paths and methods do not', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  claimRoute(app, '/status', taken, () => app.get('/status', async () => 'plugin'))
  t.throws(() => app.get('/status', async () => 'app'), { message: 'taken' })
  t.throws(() => app.route({ method: ['HEAD', 'OPTIONS'], url: '/status', handler: async () => '' }), { message: 'taken' })
  t.doesNotThrow(() => app.post('/status', async () => 'another method'))
  t.doesNotThrow(() => app.get('/other', async () => 'another path'))
  await app.ready()
  t.equal((await app.inject('/status')).body, 'plugin')
})

test('any other error of the registration is the registration\'s own', async (t) => {
  const app = Fastify()
  t.teardown(() => app.close())
  t.throws(() => claimRoute(app, '/x', taken, () => { throw new RangeError('boom') }), { message: 'boom' })
})
