import { test } from 'tap'
import { readyError } from '../src/ready-error.js'

function instance (ready: () => Promise<unknown>): { ready: () => Promise<unknown>, close: () => Promise<void>, closed: () => number } {
  let closes = 0
  return { ready, close: async () => { closes++ }, closed: () => closes }
}

test('readyError: the error ready() fails with, or undefined; the instance is closed either way', async (t) => {
  const boom = new Error('bad option')
  const failing = instance(async () => { throw boom })
  t.equal(await readyError(failing), boom)
  t.equal(failing.closed(), 1, 'closed after a failure')
  const fine = instance(async () => undefined)
  t.equal(await readyError(fine), undefined)
  t.equal(fine.closed(), 1, 'closed after success')
})
