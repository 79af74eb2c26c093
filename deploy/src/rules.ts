// The rules a zero-downtime rollout needs beyond the schema: each names the values and says why.
import { acceptsThroughPropagation, DEFAULT_VERSION_PATH, drainFitsTimeout, graceCoversShutdown } from '@zerodown/contract'
import { MIN_PROPAGATION_SECONDS, shutdownBudget } from './budget.js'
import { CHART_ENV, pluginEnvProblems } from './contract.js'
import { imageProblems } from './image-reference.js'
import { formatKubeVersion, lacks, supports, type KubeVersion } from './kube-version.js'
import { checkNames } from './name-rules.js'
import { appSecurityProblems } from './pod-security.js'
import type { Problem } from './problem.js'
import { resolveIntOrPercent, resolveRollout } from './rollout.js'
import type { IntOrPercent, Values } from './values.js'

type Rule = (values: Values) => Problem[]

const show = (value: unknown): string => JSON.stringify(value)

const rolloutArithmetic: Rule = (values) => {
  const { maxSurge, maxUnavailable } = values.rollout
  // The API server compares the values as written (0 and "0%" alike), before any rounding.
  const zero = (value: IntOrPercent): boolean => value === 0 || /^0+%$/.test(String(value))
  if (zero(maxSurge) && zero(maxUnavailable)) {
    return [{
      path: 'rollout.maxSurge',
      message: `rollout.maxSurge ${show(maxSurge)} and rollout.maxUnavailable ${show(maxUnavailable)} are both 0: a rolling update could neither add a new pod nor remove an old one (Kubernetes rejects it); keep maxSurge 1 and maxUnavailable 0`
    }]
  }
  const autoscaled = values.autoscaling.enabled
  const replicas = autoscaled ? values.autoscaling.minReplicas : values.replicas
  const from = autoscaled ? `autoscaling.minReplicas ${replicas}` : `replicas ${replicas}`
  const { unavailable } = resolveRollout(maxSurge, maxUnavailable, replicas)
  const problems: Problem[] = []
  if (resolveIntOrPercent(maxSurge, replicas, true) === 0 && resolveIntOrPercent(maxUnavailable, replicas, false) === 0) {
    problems.push({
      path: 'rollout.maxSurge',
      message: `rollout.maxSurge ${show(maxSurge)} and rollout.maxUnavailable ${show(maxUnavailable)} both round to 0 for ${from}, so Kubernetes takes a pod down before its replacement is ready; set maxSurge to 1 or more`
    })
  }
  if (unavailable >= replicas) {
    problems.push({
      path: 'rollout.maxUnavailable',
      message: `rollout.maxUnavailable ${show(maxUnavailable)} allows ${unavailable} of ${from} to be unavailable at once: a rollout could take every pod down; keep it below the replica count (0 keeps full capacity)`
    })
  }
  return problems
}

const enoughReplicas: Rule = (values) => {
  if (values.autoscaling.enabled) {
    const { minReplicas, maxReplicas } = values.autoscaling
    const problems: Problem[] = []
    if (minReplicas < 2) {
      problems.push({ path: 'autoscaling.minReplicas', message: `autoscaling.minReplicas ${minReplicas} lets the autoscaler leave a single pod: a node drain or a crash then drops every request; use 2 or more` })
    }
    if (maxReplicas < minReplicas) {
      problems.push({ path: 'autoscaling.maxReplicas', message: `autoscaling.maxReplicas ${maxReplicas} is below autoscaling.minReplicas ${minReplicas}` })
    }
    return problems
  }
  return values.replicas < 2
    ? [{ path: 'replicas', message: `replicas ${values.replicas} leaves a single pod: a node drain or a crash then drops every request; use 2 or more` }]
    : []
}

const timeBudget: Rule = (values) => {
  const { propagationSeconds: P, preStopSeconds: S, drainDelaySeconds: d, timeoutSeconds: T, marginSeconds: m, graceSeconds: G, acceptingSeconds, neededSeconds } = shutdownBudget(values)
  const problems: Problem[] = []
  if (P < MIN_PROPAGATION_SECONDS) {
    problems.push({
      path: 'shutdown.propagationSeconds',
      message: `shutdown.propagationSeconds ${P} says new connections stop the moment a pod is deleted, but no path does that: kube-proxy itself takes 0.1-0.4 s (measured on a real cluster) and up to its 1 s minimum sync period when endpoints change quickly; set at least ${MIN_PROPAGATION_SECONDS} (more behind an ingress or a cloud load balancer)`
    })
  }
  if (!drainFitsTimeout({ timeout: T, drainDelay: d })) {
    problems.push({
      path: 'shutdown.timeoutSeconds',
      message: `shutdown.timeoutSeconds ${T} is not longer than shutdown.drainDelaySeconds ${d}: the app counts its timeout from SIGTERM with the drain inside it, so @zerodown/shutdown refuses to start and every pod would crash-loop; raise shutdown.timeoutSeconds to at least ${d + 1} (the drain, plus the longest request and the onClose hooks) or shorten the drain`
    })
  }
  if (!acceptsThroughPropagation({ preStop: S, drainDelay: d, propagation: P })) {
    problems.push({
      path: 'shutdown.preStop.sleepSeconds',
      message: `shutdown.preStop.sleepSeconds ${S} + shutdown.drainDelaySeconds ${d} = ${acceptingSeconds} s is shorter than shutdown.propagationSeconds ${P}: the listener would close while load balancers still send new connections to the pod, and those would be refused; raise shutdown.preStop.sleepSeconds to ${P - d} (or the drain), or lower shutdown.propagationSeconds if the load balancers let go sooner`
    })
  }
  if (!graceCoversShutdown({ grace: G, preStop: S, timeout: T, margin: m })) {
    problems.push({
      path: 'terminationGracePeriodSeconds',
      message: `terminationGracePeriodSeconds ${G} is shorter than shutdown.preStop.sleepSeconds ${S} + shutdown.timeoutSeconds ${T} + shutdown.marginSeconds ${m} = ${neededSeconds} s: the grace period counts from pod deletion, preStop included, so Kubernetes would SIGKILL the app before its own shutdown deadline, cutting requests still in flight; raise terminationGracePeriodSeconds to ${neededSeconds} or shorten the preStop sleep or the timeout`
    })
  }
  return problems
}

const probes: Rule = (values) => {
  const { startup, readiness, liveness, checkTimeoutMs, port } = values.probes
  const problems: Problem[] = []
  const paths = [['startup', startup.path], ['readiness', readiness.path], ['liveness', liveness.path]] as const
  for (const [i, [a, pathA]] of paths.entries()) {
    for (const [b, pathB] of paths.slice(i + 1)) {
      if (pathA === pathB) {
        problems.push({
          path: `probes.${b}.path`,
          message: `probes.${a}.path and probes.${b}.path are both ${show(pathA)}: ${a === 'readiness' || b === 'readiness' ? 'a pod that is only not ready (draining, or a dependency down) would be restarted instead of taken out of the Service' : 'the startup probe would pass or fail with liveness instead of saying when startup finished'}; use the probe plugin's distinct /startupz, /readyz and /livez`
        })
      }
    }
  }
  // On the app's own port (no probe port), the version plugin's route is taken.
  for (const [kind, path] of port === null ? paths : []) {
    if (path === DEFAULT_VERSION_PATH) {
      problems.push({ path: `probes.${kind}.path`, message: `probes.${kind}.path ${show(path)} is the route of @zerodown/version on the app's port, where the plugins would refuse to start side by side; use the probe plugin's /${kind === 'readiness' ? 'readyz' : kind === 'liveness' ? 'livez' : 'startupz'}` })
    }
  }
  const readinessFails = readiness.periodSeconds * readiness.failureThreshold
  const livenessFails = liveness.periodSeconds * liveness.failureThreshold
  if (livenessFails <= readinessFails) {
    problems.push({
      path: 'probes.liveness',
      message: `probes.liveness fails after ${livenessFails} s (periodSeconds ${liveness.periodSeconds} x failureThreshold ${liveness.failureThreshold}), no later than probes.readiness after ${readinessFails} s (periodSeconds ${readiness.periodSeconds} x failureThreshold ${readiness.failureThreshold}): a struggling pod would be restarted before it is taken out of the Service; make liveness slower to fail`
    })
  }
  if (readiness.timeoutSeconds * 1000 <= checkTimeoutMs) {
    problems.push({
      path: 'probes.readiness.timeoutSeconds',
      message: `probes.readiness.timeoutSeconds ${readiness.timeoutSeconds} (${readiness.timeoutSeconds * 1000} ms) is not longer than probes.checkTimeoutMs ${checkTimeoutMs}: a slow check would time the probe out (a failure the app cannot explain) instead of answering 503; make the probe timeout longer than the app's check timeout`
    })
  }
  if (port !== null && port === values.container.port) {
    problems.push({ path: 'probes.port', message: `probes.port ${port} is container.port: a separate probe port must differ from the app port (or be null to probe the app port)` })
  }
  return problems
}

// The chart renders these variables from its values; an app's own copy in env, extraEnv or config would disagree with them.
const chartOwnedEnv: Rule = (values) => {
  // `what` is how the message names the setting: the path, or the path and the name for a list entry.
  const owned = (path: string, name: string, what = path): Problem[] => {
    const from = Object.hasOwn(CHART_ENV, name) ? CHART_ENV[name as keyof typeof CHART_ENV] : undefined
    return from === undefined ? [] : [{ path, message: `${what} is set by the chart from ${from}, so the app and the manifest agree; set ${from} instead` }]
  }
  return [
    ...Object.keys(values.container.env).flatMap((name) => owned(`container.env.${name}`, name)),
    ...values.container.extraEnv.flatMap(({ name }, i) => owned(`container.extraEnv[${i}].name`, name, `container.extraEnv[${i}].name ${show(name)}`)),
    ...Object.keys(values.config).flatMap((name) => owned(`config.${name}`, name))
  ]
}

const gatewayRoute: Rule = (values) => values.gateway.enabled && values.gateway.parentRefs.length === 0
  ? [{ path: 'gateway.parentRefs', message: 'gateway.parentRefs is empty: the HTTPRoute would attach to no Gateway and route nothing; name the Gateway, for example [{ name: shared-gateway, namespace: infra }]' }]
  : []

// A Utilization target is a percentage of the request: without the request the autoscaler cannot compute it.
const autoscalingMetrics: Rule = (values) => {
  const { enabled, metrics } = values.autoscaling
  if (!enabled) return []
  const cpu = values.autoscaling.targetCPUUtilizationPercentage ?? null
  const memory = values.autoscaling.targetMemoryUtilizationPercentage ?? null
  const requests = values.container.resources.requests ?? {}
  const problems: Problem[] = []
  if (cpu === null && memory === null && metrics.length === 0) {
    problems.push({ path: 'autoscaling.metrics', message: 'autoscaling has no metric: targetCPUUtilizationPercentage and targetMemoryUtilizationPercentage are null and autoscaling.metrics is empty; set one of them' })
  }
  for (const [resource, target, path] of [['cpu', cpu, 'targetCPUUtilizationPercentage'], ['memory', memory, 'targetMemoryUtilizationPercentage']] as const) {
    if (target !== null && requests[resource] === undefined) {
      problems.push({ path: `autoscaling.${path}`, message: `autoscaling.${path} ${target} is a percentage of the ${resource} request, but container.resources.requests.${resource} is not set: the autoscaler could not compute it and would not scale; set the request or set autoscaling.${path} to null` })
    }
  }
  return problems
}

const service: Rule = (values) => values.service.type === 'ClusterIP' && values.service.nodePort !== null
  ? [{ path: 'service.nodePort', message: `service.nodePort ${values.service.nodePort} needs service.type NodePort or LoadBalancer, not ClusterIP` }]
  : []

const disruptionBudget: Rule = (values) => {
  const { enabled, maxUnavailable } = values.podDisruptionBudget
  if (!enabled) return []
  const replicas = values.autoscaling.enabled ? values.autoscaling.minReplicas : values.replicas
  // The disruption controller rounds a percentage up.
  const evictable = resolveIntOrPercent(maxUnavailable, replicas, true)
  if (evictable === 0) {
    return [{ path: 'podDisruptionBudget.maxUnavailable', message: `podDisruptionBudget.maxUnavailable ${show(maxUnavailable)} allows no eviction: every node drain would hang on these pods; use 1` }]
  }
  // A single replica is already refused by the replicas rule.
  if (evictable >= replicas && replicas >= 2) {
    return [{ path: 'podDisruptionBudget.maxUnavailable', message: `podDisruptionBudget.maxUnavailable ${show(maxUnavailable)} allows evicting ${evictable} of ${replicas} pods at once: a node drain could take every pod down; use 1` }]
  }
  return []
}

const progressDeadline: Rule = (values) => {
  const { minReadySeconds, progressDeadlineSeconds } = values.rollout
  return progressDeadlineSeconds <= minReadySeconds
    ? [{ path: 'rollout.progressDeadlineSeconds', message: `rollout.progressDeadlineSeconds ${progressDeadlineSeconds} must be greater than rollout.minReadySeconds ${minReadySeconds}: Kubernetes rejects the Deployment otherwise` }]
    : []
}

const RULES: Rule[] = [rolloutArithmetic, progressDeadline, enoughReplicas, disruptionBudget, timeBudget, probes, imageProblems, pluginEnvProblems, appSecurityProblems, chartOwnedEnv, service, autoscalingMetrics, gatewayRoute, checkNames]

/** Every rule problem in values that already passed the schema. */
export function checkRules (values: Values): Problem[] {
  return RULES.flatMap((rule) => rule(values))
}

/** Values that need a newer Kubernetes than the target (`--kube-version`); none without a target. */
export function checkTarget (values: Values, kube: KubeVersion | undefined): Problem[] {
  if (kube === undefined) return []
  const problems: Problem[] = []
  if (values.shutdown.preStop.mode === 'sleep' && values.shutdown.preStop.sleepSeconds > 0 && !supports(kube, 'preStopSleep')) {
    problems.push({ path: 'shutdown.preStop.mode', message: `shutdown.preStop.mode "sleep": ${lacks(kube, 'preStopSleep')}, and its API server would refuse the Deployment; use "auto" (or "exec", which runs the image's sleep binary)` })
  }
  if (values.sidecars.length > 0 && !supports(kube, 'nativeSidecars')) {
    problems.push({ path: 'sidecars', message: `sidecars: ${lacks(kube, 'nativeSidecars')}: an init container with restartPolicy Always is refused there; run the sidecar as a second container of the pod (it then stops with the app, not after it) or target Kubernetes ${formatKubeVersion({ major: 1, minor: 29 })} or later` })
  }
  if (values.gateway.enabled && !supports(kube, 'gatewayApiV1')) {
    problems.push({ path: 'gateway.enabled', message: `gateway.enabled: the HTTPRoute is gateway.networking.k8s.io/v1, and ${lacks(kube, 'gatewayApiV1')}; use ingress instead` })
  }
  return problems
}
