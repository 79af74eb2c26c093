import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseIntOrPercent, resolveRollout } from '@zerodown/deploy/rollout'
import { test } from 'tap'
import {
  deploymentStatus, disruptionsAllowed, isAvailable, syncDeployment, syncReplicaSet,
  type ObservedState, type PodView, type ReplicaSetView, type RolloutSpec
} from '../src/cluster/controller.js'

test('R1: 25%/25% rounds surge up and unavailable down (deploy\'s arithmetic, as deployment/util ResolveFenceposts)', async (t) => {
  const cases: Array<[number, number, number]> = [
    // replicas, surge, unavailable
    [1, 1, 0],
    [2, 1, 0],
    [3, 1, 0],
    [4, 1, 1],
    [10, 3, 2]
  ]
  for (const [replicas, surge, unavailable] of cases) {
    t.same(resolveRollout('25%', '25%', replicas), { surge, unavailable }, `${replicas} replicas`)
  }
})

test('R1: integers are taken as given; both zero makes unavailable 1', async (t) => {
  t.same(resolveRollout(0, 0, 3), { surge: 0, unavailable: 1 })
  t.same(resolveRollout('0%', '0%', 10), { surge: 0, unavailable: 1 })
  t.same(resolveRollout('10%', '10%', 3), { surge: 1, unavailable: 0 }, 'surge 0.3 rounds up to 1, so unavailable may be 0')
  t.same(resolveRollout('10%', '10%', 5), { surge: 1, unavailable: 0 })
  t.same(resolveRollout('0%', '10%', 3), { surge: 0, unavailable: 1 }, 'unavailable 0.3 rounds down to 0, both 0, so 1')
  t.same(resolveRollout(2, 1, 3), { surge: 2, unavailable: 1 })
  t.same(resolveRollout(1, 0, 3), { surge: 1, unavailable: 0 })
  t.same(resolveRollout('100%', 0, 3), { surge: 3, unavailable: 0 })
})

test('int-or-percent accepts what Kubernetes accepts', async (t) => {
  t.equal(parseIntOrPercent(1), 1)
  t.equal(parseIntOrPercent('25%'), '25%')
  for (const bad of [-1, 1.5, '25', '%', 'a%', null, undefined, '1.5%']) {
    t.equal(parseIntOrPercent(bad), undefined, JSON.stringify(bad))
  }
})

// A tiny cluster: ReplicaSets whose pods appear when the ReplicaSet controller creates them and become
// ready at once (or never), and vanish when deleted. Returns the (new, old) sizes after every change.
function simulate (spec: RolloutSpec, opts: { newPodsReady: boolean, steps?: number }): Array<[number, number]> {
  let seq = 0
  let now = 0
  const pod = (ready: boolean): PodView => ({ name: `p${seq++}`, createdAt: now, terminating: false, ...(ready && { readySince: now }) })
  const oldRS: ReplicaSetView = { name: 'old', replicas: spec.replicas, pods: Array.from({ length: spec.replicas }, () => pod(true)) }
  const newRS: ReplicaSetView = { name: 'new', replicas: 0, pods: [] }
  const sizes: Array<[number, number]> = [[0, spec.replicas]]
  let previous
  let lastProgressAt = 0
  for (let i = 0; i < (opts.steps ?? 30); i++) {
    now += 1000
    const result = syncDeployment({ now, spec, newRS, oldRSs: [oldRS], lastProgressAt, ...(previous !== undefined && { previous }) })
    previous = result.status
    lastProgressAt = result.lastProgressAt
    if (result.complete) break
    for (const action of result.scale) {
      const rs = action.replicaSet === 'new' ? newRS : oldRS
      rs.replicas = action.to
    }
    if (result.scale.length > 0) sizes.push([newRS.replicas, oldRS.replicas])
    for (const rs of [newRS, oldRS]) {
      const rsAction = syncReplicaSet(rs)
      for (let n = 0; n < rsAction.create; n++) rs.pods.push(pod(rs === newRS ? opts.newPodsReady : true))
      rs.pods = rs.pods.filter((p) => !rsAction.delete.includes(p.name))
    }
  }
  return sizes
}

const spec = (replicas: number, maxSurge: number | string, maxUnavailable: number | string): RolloutSpec =>
  ({ replicas, maxSurge, maxUnavailable, minReadySeconds: 0, progressDeadlineSeconds: 600 })

test('R2: replicas 3, surge 1, unavailable 0 — one new pod at a time, never below 3 available', async (t) => {
  t.same(simulate(spec(3, 1, 0), { newPodsReady: true }),
    [[0, 3], [1, 3], [1, 2], [2, 2], [2, 1], [3, 1], [3, 0]])
  t.same(simulate(spec(3, 1, 0), { newPodsReady: false }), [[0, 3], [1, 3]],
    'a new pod that never gets ready stops the rollout with every old pod serving')
})

test('R2: replicas 4, 25%/25% — surge 1 and unavailable 1', async (t) => {
  t.same(simulate(spec(4, '25%', '25%'), { newPodsReady: true }),
    [[0, 4], [1, 4], [1, 2], [3, 2], [3, 0], [4, 0]])
  t.same(simulate(spec(4, '25%', '25%'), { newPodsReady: false }), [[0, 4], [1, 4], [1, 3], [2, 3]],
    'unavailable 1 removes an old pod before any new one is ready, then stops')
})

test('R3: terminating pods are not counted, so live pods can exceed replicas + surge', async (t) => {
  const ready = (name: string, extra: Partial<PodView> = {}): PodView => ({ name, createdAt: 0, readySince: 0, terminating: false, ...extra })
  const state: ObservedState = {
    now: 10_000,
    spec: spec(3, 1, 0),
    newRS: { name: 'new', replicas: 2, pods: [ready('n1'), ready('n2')] },
    oldRSs: [{ name: 'old', replicas: 1, pods: [ready('o1'), ready('o2', { terminating: true }), ready('o3', { terminating: true })] }],
    lastProgressAt: 0
  }
  t.same(deploymentStatus(state), { replicas: 3, updatedReplicas: 2, readyReplicas: 3, availableReplicas: 3 })
  const result = syncDeployment(state)
  t.same(result.scale, [{ replicaSet: 'new', from: 2, to: 3 }], 'scales up although 5 processes are alive')
  t.same(syncReplicaSet(state.oldRSs[0]!), { create: 0, delete: [] }, 'the ReplicaSet does not replace its terminating pods')
})

test('R4: available means ready for minReadySeconds; complete and stuck', async (t) => {
  const withMinReady = { ...spec(1, 1, 0), minReadySeconds: 5, progressDeadlineSeconds: 30 }
  const base: ObservedState = {
    now: 10_000,
    spec: withMinReady,
    newRS: { name: 'new', replicas: 1, pods: [{ name: 'n', createdAt: 0, readySince: 8_000, terminating: false }] },
    oldRSs: [{ name: 'old', replicas: 1, pods: [{ name: 'o', createdAt: 0, readySince: 0, terminating: false }] }],
    lastProgressAt: 10_000
  }
  t.same(syncDeployment(base).scale, [], 'ready for 2 s of 5: the old pod stays')
  t.same(syncDeployment({ ...base, now: 13_000 }).scale, [{ replicaSet: 'old', from: 1, to: 0 }], 'ready for 5 s: the old pod goes')

  const done = syncDeployment({ ...base, now: 13_000, oldRSs: [{ name: 'old', replicas: 0, pods: [] }] })
  t.equal(done.complete, true)
  t.equal(done.deadlineExceeded, false)

  const stuck: ObservedState = { ...base, newRS: { ...base.newRS, pods: [{ name: 'n', createdAt: 0, terminating: false }] } }
  const first = syncDeployment(stuck)
  const later = (now: number) => syncDeployment({ ...stuck, now, previous: first.status, lastProgressAt: first.lastProgressAt })
  t.equal(later(40_000).deadlineExceeded, false, 'exactly at the deadline is not past it')
  t.equal(later(40_001).deadlineExceeded, true, 'no progress for progressDeadlineSeconds')
  t.equal(later(40_001).complete, false)
})

test('the ReplicaSet controller deletes not-ready pods first, then the most recently ready', async (t) => {
  const rs: ReplicaSetView = {
    name: 'rs',
    replicas: 1,
    pods: [
      { name: 'old-ready', createdAt: 0, readySince: 1_000, terminating: false },
      { name: 'young-ready', createdAt: 1, readySince: 5_000, terminating: false },
      { name: 'not-ready', createdAt: 0, terminating: false },
      { name: 'gone', createdAt: 0, terminating: true }
    ]
  }
  t.same(syncReplicaSet(rs), { create: 0, delete: ['not-ready', 'young-ready'] })
  t.same(syncReplicaSet({ ...rs, replicas: 5 }), { create: 2, delete: [] })
})

test('the modules import no cycle, and importing the library starts nothing', async (t) => {
  const src = fileURLToPath(new URL('../src/', import.meta.url))
  const graph = new Map<string, string[]>()
  for (const file of readdirSync(src).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(join(src, file), 'utf8')
    const deps = [...text.matchAll(/(?:from |import\()'\.\/([\w-]+)\.js'/g)].map((m) => `${m[1]}.ts`)
    graph.set(file, deps)
  }
  const cycles: string[] = []
  const visit = (file: string, path: string[]): void => {
    if (path.includes(file)) { cycles.push([...path.slice(path.indexOf(file)), file].join(' -> ')); return }
    for (const dep of graph.get(file) ?? []) visit(dep, [...path, file])
  }
  for (const file of graph.keys()) visit(file, [])
  t.same(cycles, [], 'no import cycle, type imports included')

  // A fresh Node.js that imports the built library: no exit or signal hook added, and it exits by itself.
  const hooks = "['exit', 'SIGINT', 'SIGTERM'].map((e) => process.listenerCount(e)).join(',')"
  // Through sh, which drops NODE_OPTIONS: the test runner injects its own process tracking there,
  // and that adds signal listeners the library never did.
  const script = `const before = ${hooks}; await import(${JSON.stringify(fileURLToPath(new URL('../dist/index.js', import.meta.url)))}); console.log(before === ${hooks})`
  const probe = spawnSync('/bin/sh', ['-c', 'unset NODE_OPTIONS; exec "$0" --input-type=module -e "$1"', process.execPath, script],
    { encoding: 'utf8', timeout: 60_000, env: { PATH: process.env.PATH ?? '' } })
  t.equal(probe.status, 0, `it exits by itself ${probe.stderr}`)
  t.equal(probe.stdout.trim(), 'true', 'no exit or signal hook added by the import')
})

test('evictions: the disruption controller\'s budget, percentages rounded up', async (t) => {
  t.equal(disruptionsAllowed({ maxUnavailable: 1 }, 3, 3), 1)
  t.equal(disruptionsAllowed({ maxUnavailable: 1 }, 3, 2), 0, 'one pod down already: no eviction')
  t.equal(disruptionsAllowed({ maxUnavailable: '25%' }, 3, 3), 1, '0.75 rounds up to 1')
  t.equal(disruptionsAllowed({ minAvailable: '50%' }, 3, 3), 1, 'minAvailable 1.5 rounds up to 2')
  t.equal(disruptionsAllowed({ minAvailable: 3 }, 3, 3), 0, 'minAvailable = replicas blocks every eviction')
  t.equal(disruptionsAllowed({ maxUnavailable: 0 }, 2, 2), 0)
})

test('R1 at the limit and one past: surge rounds up from any fraction, unavailable down until a whole pod', async (t) => {
  // [replicas, surge, unavailable] for 25%/25%: 4 and 8 are whole, 5 and 9 a fraction past, 7 a fraction short.
  const cases: Array<[number, number, number]> = [[4, 1, 1], [5, 2, 1], [7, 2, 1], [8, 2, 2], [9, 3, 2]]
  for (const [replicas, surge, unavailable] of cases) {
    t.same(resolveRollout('25%', '25%', replicas), { surge, unavailable }, `${replicas} replicas: 25% is ${replicas / 4}`)
  }
  t.same(resolveRollout(0, '25%', 3), { surge: 0, unavailable: 1 }, '0.75 rounds down to 0, both 0: unavailable 1')
  t.same(resolveRollout(0, '25%', 4), { surge: 0, unavailable: 1 }, 'exactly 1: no extra pod on top')
  t.same(resolveRollout(0, 1, 3), { surge: 0, unavailable: 1 }, 'unavailable 1 as given, not 2')
  t.same(resolveRollout(1, 0, 3), { surge: 1, unavailable: 0 }, 'surge 1 keeps unavailable 0')
})

const pods = (prefix: string, n: number, readySince?: number): PodView[] =>
  Array.from({ length: n }, (_, i) => ({ name: `${prefix}${i}`, createdAt: 0, terminating: false, ...(readySince !== undefined && { readySince }) }))

test('R2 at the limit and one past: scale up while the spec total is below replicas + surge', async (t) => {
  // replicas 4, surge 2 (maxSurge 2): the spec total may reach 6.
  const state = (newReplicas: number, oldReplicas: number): ObservedState => ({
    now: 10_000,
    spec: spec(4, 2, 0),
    newRS: { name: 'new', replicas: newReplicas, pods: pods('n', newReplicas) },
    oldRSs: [{ name: 'old', replicas: oldReplicas, pods: pods('o', oldReplicas, 0) }],
    lastProgressAt: 0
  })
  t.same(syncDeployment(state(1, 4)).scale, [{ replicaSet: 'new', from: 1, to: 2 }], 'total 5, one below 6: one more new pod')
  t.same(syncDeployment(state(0, 4)).scale, [{ replicaSet: 'new', from: 0, to: 2 }], 'total 4: two more, up to 6')
  t.same(syncDeployment(state(2, 4)).scale, [], 'total 6 = replicas + surge: no new pod, and no old one can go (new not ready, unavailable 0)')
})

test('R2 at the limit and one past: old pods go only while available stays at replicas - unavailable', async (t) => {
  // replicas 4, unavailable 1 (maxSurge 0): at least 3 available.
  const state = (readyNew: number, old: number): ObservedState => ({
    now: 10_000,
    spec: spec(4, 0, 1),
    newRS: { name: 'new', replicas: 4 - old + 1, pods: [...pods('r', readyNew, 0), ...pods('n', 4 - old + 1 - readyNew)] },
    oldRSs: [{ name: 'old', replicas: old, pods: pods('o', old, 0) }],
    lastProgressAt: 0
  })
  // new 2 (1 ready) + old 3 ready: 4 available, 1 more than 3: one old pod may go.
  t.same(syncDeployment(state(1, 3)).scale, [{ replicaSet: 'old', from: 3, to: 2 }], 'available 4 > 3: one old pod goes')
  // new 2 (0 ready) + old 3 ready: 3 available, exactly the minimum: none goes.
  t.same(syncDeployment(state(0, 3)).scale, [], 'available 3 = 3: no old pod goes')
})

test('R4 at the limit and one past: available once ready for exactly minReadySeconds, not a millisecond sooner', async (t) => {
  const pod: PodView = { name: 'p', createdAt: 0, readySince: 1_000, terminating: false }
  t.equal(isAvailable(pod, 2, 2_999), false, '1 ms short of 2 s')
  t.equal(isAvailable(pod, 2, 3_000), true, 'ready for 2 s exactly')
  t.equal(isAvailable(pod, 0, 1_000), true, 'minReadySeconds 0: available as it gets ready')
  t.equal(isAvailable({ ...pod, terminating: true }, 0, 5_000), false, 'a terminating pod is never available (R3)')
  t.equal(isAvailable({ name: 'q', createdAt: 0, terminating: false }, 0, 5_000), false, 'never ready, never available')
})

test('the ReplicaSet controller at its replicas and one past, both ways', async (t) => {
  const rs = (replicas: number, n: number): ReplicaSetView => ({ name: 'rs', replicas, pods: pods('p', n, 0) })
  t.same(syncReplicaSet(rs(3, 3)), { create: 0, delete: [] }, 'as many as asked')
  t.same(syncReplicaSet(rs(3, 2)), { create: 1, delete: [] }, 'one short: one created')
  t.equal(syncReplicaSet(rs(3, 4)).delete.length, 1, 'one over: one deleted')
})

test('evictions at the budget\'s limit and one past, both fields, both ways', async (t) => {
  // minAvailable as an integer: healthy must stay at it.
  t.equal(disruptionsAllowed({ minAvailable: 2 }, 3, 3), 1, 'one above minAvailable 2: one eviction')
  t.equal(disruptionsAllowed({ minAvailable: 2 }, 3, 2), 0, 'at minAvailable 2: none')
  // minAvailable as a percentage rounds up: 66% of 3 is 1.98 -> 2; 67% is 2.01 -> 3.
  t.equal(disruptionsAllowed({ minAvailable: '66%' }, 3, 3), 1)
  t.equal(disruptionsAllowed({ minAvailable: '67%' }, 3, 3), 0, '2.01 rounds up to 3: no eviction')
  // maxUnavailable as a percentage rounds up too: 33% of 3 is 0.99 -> 1; 34% is 1.02 -> 2.
  t.equal(disruptionsAllowed({ maxUnavailable: '33%' }, 3, 2), 0, 'one down already, the budget is 1')
  t.equal(disruptionsAllowed({ maxUnavailable: '34%' }, 3, 2), 1, '1.02 rounds up to 2: a second may go')
  t.equal(disruptionsAllowed({ maxUnavailable: '34%' }, 3, 1), 0, 'two down: the budget of 2 is spent')
  t.equal(disruptionsAllowed({ maxUnavailable: 1 }, 3, 4), 2, 'more healthy than expected: each extra one may go too')
})
