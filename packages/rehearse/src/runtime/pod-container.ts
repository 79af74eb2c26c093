// One pod of the container mode: the environment a kubelet gives the container (no variable of this
// machine's, unless passed), the image of its version, the stop signal (the manifest's, else the
// image's STOPSIGNAL), and the runtime that runs it in the engine.
import type { ContainerExit } from './process.js'
import type { ResolvedContainers } from './container-options.js'
import { containerRuntime } from './engine-container.js'
import type { DeploymentSpec } from '../manifest/manifest.js'
import type { ResolvedOptions } from '../options.js'
import { podEnv } from '../kubelet/pod-env.js'
import { nonRootViolation, runArgs } from './run-args.js'
import type { PodRuntime, RunningContainer } from './runtime.js'

export interface ContainerPodInput {
  name: string
  version: string
  /** Loopback ports of this machine for the container port and the probe port. */
  port: number
  probePort?: number
}

export function containerPod (opts: ResolvedOptions, c: ResolvedContainers, input: ContainerPodInput): { runtime: PodRuntime, env: Record<string, string>, spec: DeploymentSpec } {
  const deployment = opts.deployment
  const image = input.version === opts.oldVersion ? c.oldImage : c.newImage
  const spec = { ...deployment, stopSignal: deployment.pod.stopSignalSet ? deployment.stopSignal : image.stopSignal ?? deployment.stopSignal }
  const passed = Object.fromEntries(opts.passEnv.flatMap((name) => process.env[name] === undefined ? [] : [[name, process.env[name]!]]))
  // The image's ENV stays under all of it; PORT and the probe port stay the container's own.
  const env = podEnv({ podName: input.name, container: deployment, caller: passed, passEnv: opts.passEnv, overrides: { ...opts.env, [opts.versionEnv]: input.version } })
  const ports = [{ host: input.port, container: deployment.containerPort }]
  if (input.probePort !== undefined && deployment.probePort !== undefined) ports.push({ host: input.probePort, container: deployment.probePort.containerPort })
  const refused = nonRootViolation(deployment.pod, image.user)
  const runtime = containerRuntime(c.engine, input.name, (name) => runArgs({
    engine: c.engine.name, name, runId: c.runId, podName: input.name, image: image.ref, imageUser: image.user, pod: deployment.pod, env, ports
  }))
  return { env, spec, runtime: refused === undefined ? runtime : { ...runtime, start: (onLine) => refusedContainer(refused, onLine) } }
}

/** The kubelet does not create the container (CreateContainerConfigError): it shows as one that never ran. */
function refusedContainer (reason: string, onLine: (line: string) => void): RunningContainer {
  onLine(`CreateContainerConfigError: ${reason}`)
  return { pid: undefined, running: false, spawnError: undefined, exited: Promise.resolve<ContainerExit>({ code: 1, signal: null }), signal: async () => {}, killGroup: () => {} }
}
