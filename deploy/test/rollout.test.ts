// The int-or-percent arithmetic of maxSurge and maxUnavailable, as the @zerodown/deploy/rollout
// subpath gives it to the rehearsal.
import { test } from 'tap'
import { parseIntOrPercent, resolveRollout } from '../src/rollout.js'

test('parseIntOrPercent takes a non-negative integer or "N%", and nothing else', async (t) => {
  t.equal(parseIntOrPercent(0), 0)
  t.equal(parseIntOrPercent(3), 3)
  t.equal(parseIntOrPercent('25%'), '25%')
  t.equal(parseIntOrPercent('0%'), '0%')
  for (const bad of [-1, 1.5, '25', '2.5%', '-5%', ' 25%', null, undefined, {}]) {
    t.equal(parseIntOrPercent(bad), undefined, `${JSON.stringify(bad)} is refused`)
  }
})

test('resolveRollout: surge rounds up, unavailable down, and both 0 make unavailable 1', async (t) => {
  t.same(resolveRollout('25%', '25%', 3), { surge: 1, unavailable: 0 })
  t.same(resolveRollout(0, '10%', 5), { surge: 0, unavailable: 1 }, '10% of 5 is 0, so Kubernetes makes it 1')
  t.same(resolveRollout(2, 0, 5), { surge: 2, unavailable: 0 })
})
