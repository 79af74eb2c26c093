// Drives one rolling update: the old ReplicaSet comes up, load starts, the template changes, and the
// Deployment controller (a pure function) is synced until the rollout completes or gets stuck.
import { createServer } from 'node:net'
import { randomBytes } from 'node:crypto'
import { syncDeployment, syncReplicaSet, type DeploymentStatus, type PodView, type ReplicaSetView, type RolloutSpec } from './controller.js'
import { RehearseCommandError } from './errors.js'
import { Pod } from './kubelet.js'
import { startLoad, type Load } from './load.js'
import { resolveOptions, type RehearseOptions, type ResolvedOptions } from './options.js'
import { podEnv } from './pod-env.js'
import type { Endpoint } from './endpoints.js'
import { createProxy } from './proxy.js'
import { summarize, type RehearsalResult } from './summary.js'
import { createClock, type Clock, type PodEvent, type RolloutEvent } from './timeline.js'

export interface ReplicaSet {
  name: string
  version: string
  replicas: number
  pods: Pod[]
}

export interface Progress {
  at: number
  phase: 'starting' | 'warmup' | 'rollout' | 'draining' | 'tail' | 'done'
  pods: Array<{ name: string, version: string, state: string, restarts: number }>
  requests: number
  failures: number
  byVersion: Record<string, number>
}

export interface RehearsalState {
  opts: ResolvedOptions
  clock: Clock
  podEvents: PodEvent[]
  rolloutEvents: RolloutEvent[]
  allPods: Pod[]
  load?: Load
  outcome: RehearsalResult['outcome']
  rolloutStartedAt?: number
  rolloutCompletedAt?: number
  oldGoneAt?: number
  endedAt?: number
  stuckPod?: Pod
  stuckReason?: string
}

const TICK_MS = 50

function freePort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0))
    })
  })
}

const podHash = (): string => randomBytes(3).toString('hex').slice(0, 5)

export async function rehearse (options: RehearseOptions): Promise<RehearsalResult> {
  const opts = resolveOptions(options)
  const spec = opts.deployment
  const clock = createClock()
  const state: RehearsalState = { opts, clock, podEvents: [], rolloutEvents: [], allPods: [], outcome: 'complete' }
  const service = createProxy(opts.proxy, clock, { addDelayMs: opts.addDelayMs, removeDelayMs: opts.removeDelayMs })
  await service.listen()
  const rollout: RolloutSpec = {
    replicas: spec.replicas,
    maxSurge: spec.maxSurge,
    maxUnavailable: spec.maxUnavailable,
    minReadySeconds: spec.minReadySeconds,
    progressDeadlineSeconds: spec.progressDeadlineSeconds
  }
  const rolloutEvent = (kind: RolloutEvent['kind'], detail?: string): void => {
    state.rolloutEvents.push({ at: clock.now(), kind, ...(detail !== undefined && { detail }) })
  }
  let phase: Progress['phase'] = 'starting'
  let published = ''
  const aborted = (): boolean => options.signal?.aborted === true

  const makeRS = (version: string, replicas: number): ReplicaSet =>
    ({ name: `${spec.name}-${randomBytes(5).toString('hex').slice(0, 10)}`, version, replicas, pods: [] })
  const oldRS = makeRS(opts.oldVersion, spec.replicas)
  let newRS: ReplicaSet | undefined

  const view = (rs: ReplicaSet): ReplicaSetView => ({
    name: rs.name,
    replicas: rs.replicas,
    pods: rs.pods.map((p): PodView => ({
      name: p.name, createdAt: p.createdAt, terminating: p.terminating, ...(p.readySince !== undefined && { readySince: p.readySince })
    }))
  })

  // Each pod keeps its own port for the whole rehearsal, so no two pods ever share one.
  const ports = new Set<number>()
  const uniquePort = async (): Promise<number> => {
    let port = await freePort()
    while (ports.has(port)) port = await freePort()
    ports.add(port)
    return port
  }

  /** The ReplicaSet controller and the endpoints controller, one pass. */
  const reconcile = async (): Promise<void> => {
    for (const rs of [oldRS, newRS]) {
      if (rs === undefined) continue
      rs.pods = rs.pods.filter((p) => p.phase !== 'terminated')
      const action = syncReplicaSet(view(rs))
      for (const name of action.delete) rs.pods.find((p) => p.name === name)?.delete()
      for (let i = 0; i < action.create; i++) {
        const probePort = spec.probePort === undefined ? undefined : await uniquePort()
        const probeEnv = Object.fromEntries((spec.probePort?.env ?? []).map((name) => [name, String(probePort)]))
        const name = `${rs.name}-${podHash()}`
        const port = await uniquePort()
        const pod = new Pod({
          name,
          version: rs.version,
          port,
          ...(probePort !== undefined && { probePort }),
          command: opts.command,
          cwd: opts.cwd,
          // The kubelet's environment; then what the rehearsal must set: the version, and free loopback
          // ports in place of the container's (pods share this machine's ports, not a network namespace each).
          env: podEnv({
            podName: name,
            container: spec,
            passEnv: opts.passEnv,
            overrides: { ...opts.env, ...probeEnv, [opts.versionEnv]: rs.version, PORT: String(port), HOST: '127.0.0.1' }
          }),
          spec,
          clock,
          restartBackoffMs: opts.restartBackoffMs,
          onEvent: (event) => state.podEvents.push(event)
        })
        rs.pods.push(pod)
        state.allPods.push(pod)
      }
    }
    const endpoints: Endpoint[] = state.allPods.filter((p) => p.ready && !p.terminating).map((p) => ({ pod: p.name, port: p.port }))
    const key = endpoints.map((e) => e.pod).join(',')
    if (key !== published) {
      published = key
      service.publish(endpoints)
    }
    const broken = state.allPods.find((p) => p.spawnError !== undefined)
    if (broken !== undefined) throw new RehearseCommandError(opts.command.join(' '), broken.spawnError!.message)
  }

  const progressTimer = setInterval(() => {
    if (options.onProgress === undefined) return
    const records = state.load?.records ?? []
    const byVersion: Record<string, number> = {}
    let failures = 0
    for (const r of records) {
      if (r.outcome !== 'ok') failures++
      else if (r.version !== undefined) byVersion[r.version] = (byVersion[r.version] ?? 0) + 1
    }
    options.onProgress({
      at: clock.now(),
      phase,
      pods: state.allPods.filter((p) => p.phase !== 'terminated').map((p) => ({
        name: p.name,
        version: p.version,
        restarts: p.restarts,
        state: p.terminating ? 'terminating' : p.ready ? 'ready' : p.phase === 'waiting' ? 'waiting (back-off)' : 'starting'
      })),
      requests: records.length,
      failures,
      byVersion
    })
  }, 500)
  progressTimer.unref()

  const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, TICK_MS))
  const stuckPod = (rs: ReplicaSet): Pod | undefined =>
    rs.pods.find((p) => !p.ready && !p.terminating) ?? rs.pods.find((p) => !p.terminating) ?? rs.pods[0]

  const run = async (): Promise<void> => {
    // The old ReplicaSet comes up first; that is setup, not the rollout being rehearsed.
    // As in the rollout, the deadline counts from the last progress (a pod getting ready).
    let setupProgressAt = clock.now()
    let readyBefore = 0
    while (!aborted()) {
      await reconcile()
      const ready = oldRS.pods.filter((p) => p.ready && !p.terminating)
      if (ready.length > readyBefore) setupProgressAt = clock.now()
      readyBefore = ready.length
      if (ready.filter((p) => clock.now() - p.readySince! >= spec.minReadySeconds * 1000).length === spec.replicas) break
      const crashed = oldRS.pods.find((p) => p.crashes > 0 && !p.everReady)
      if (crashed !== undefined || clock.now() - setupProgressAt > spec.progressDeadlineSeconds * 1000) {
        state.outcome = 'stuck'
        state.stuckPod = crashed ?? stuckPod(oldRS)
        state.stuckReason = crashed !== undefined
          ? `the ${opts.oldVersion} pod ${crashed.name} exited before it became ready`
          : `the ${opts.oldVersion} pods were not all available within progressDeadlineSeconds (${spec.progressDeadlineSeconds} s)`
        rolloutEvent('deadline-exceeded', state.stuckReason)
        return
      }
      await tick()
    }
    rolloutEvent('initial-available', `${spec.replicas} × ${opts.oldVersion}`)

    // Traffic starts once the Service knows the old pods.
    phase = 'warmup'
    await new Promise((resolve) => setTimeout(resolve, opts.addDelayMs))
    state.load = startLoad(service, clock, opts.load)
    const warmupEnd = clock.now() + opts.warmupMs
    while (!aborted() && clock.now() < warmupEnd) { await reconcile(); await tick() }

    // The template changes: a new ReplicaSet, and the controller takes over.
    phase = 'rollout'
    newRS = makeRS(opts.newVersion, 0)
    state.rolloutStartedAt = clock.now()
    rolloutEvent('rollout-started', `${opts.oldVersion} -> ${opts.newVersion}`)
    let previous: DeploymentStatus | undefined
    let lastProgressAt = clock.now()
    while (!aborted()) {
      const result = syncDeployment({
        now: clock.now(),
        spec: rollout,
        newRS: view(newRS),
        oldRSs: [view(oldRS)],
        lastProgressAt,
        ...(previous !== undefined && { previous })
      })
      previous = result.status
      lastProgressAt = result.lastProgressAt
      if (result.complete) {
        state.rolloutCompletedAt = clock.now()
        rolloutEvent('rollout-complete')
        break
      }
      if (result.deadlineExceeded) {
        state.outcome = 'stuck'
        state.stuckPod = stuckPod(newRS)
        state.stuckReason = `no progress for progressDeadlineSeconds (${spec.progressDeadlineSeconds} s): ProgressDeadlineExceeded`
        rolloutEvent('deadline-exceeded', state.stuckReason)
        break
      }
      for (const action of result.scale) {
        const rs = action.replicaSet === newRS.name ? newRS : oldRS
        rs.replicas = action.to
        rolloutEvent('scaled', `${rs.version} ${action.from} -> ${action.to}`)
      }
      await reconcile()
      await tick()
    }

    if (state.outcome === 'complete' && !aborted()) {
      // The old pods drain; traffic goes on until the last one is gone, and a little after.
      phase = 'draining'
      while (!aborted() && state.allPods.some((p) => p.version === opts.oldVersion && p.phase !== 'terminated')) {
        await reconcile()
        await tick()
      }
      state.oldGoneAt = clock.now()
      phase = 'tail'
      const tailEnd = clock.now() + opts.tailMs
      while (!aborted() && clock.now() < tailEnd) { await reconcile(); await tick() }
    }
  }

  try {
    await run()
    if (aborted()) state.outcome = 'aborted'
  } finally {
    phase = 'done'
    clearInterval(progressTimer)
    await state.load?.stop()
    state.endedAt = clock.now()
    await Promise.all(state.allPods.map((p) => p.kill()))
    await service.close()
  }
  return summarize(state)
}
