// The Deployment: a rolling update that never drops capacity, probes on the probe plugin's paths,
// a preStop sleep and a grace period that fit the app's own shutdown timings, hardened pods.
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment'
import type { IContainer } from 'kubernetes-models/v1/Container'
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec'
import type { IProbe } from 'kubernetes-models/v1/Probe'
import { chartEnv, PROPAGATION_ANNOTATION } from '../contract.js'
import { supports, type KubeVersion } from '../kube-version.js'
import type { ProbeValues, Values } from '../values.js'
import { configChecksum, configMapName } from './config-map.js'
import { metadata, type TemplateContext } from './context.js'

export function deployment (context: TemplateContext): IDeployment {
  const { values, names } = context
  const hasConfig = Object.keys(values.config).length > 0
  // The checksum of the config, only when there is one: the ConfigMap's hashed name already rolls the
  // pods; the annotation says which content they run with.
  const annotations = { ...values.podAnnotations, ...(hasConfig ? { 'checksum/config': configChecksum(values) } : {}) }
  const spec: NonNullable<IDeployment['spec']> = {
    revisionHistoryLimit: values.rollout.revisionHistoryLimit,
    minReadySeconds: values.rollout.minReadySeconds,
    progressDeadlineSeconds: values.rollout.progressDeadlineSeconds,
    selector: { matchLabels: { ...names.selector } },
    strategy: {
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: values.rollout.maxSurge, maxUnavailable: values.rollout.maxUnavailable }
    },
    template: {
      metadata: {
        labels: { ...values.commonLabels, ...values.podLabels, ...names.labels },
        ...(Object.keys(annotations).length > 0 ? { annotations } : {})
      },
      spec: podSpec(context)
    }
  }
  // With an autoscaler the Deployment must not set replicas, or every apply would undo its scaling.
  // P rides on the Deployment, not the pod template: changing it rolls no pod.
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: metadata(context, { [PROPAGATION_ANNOTATION]: String(values.shutdown.propagationSeconds) }),
    spec: values.autoscaling.enabled ? spec : { replicas: values.replicas, ...spec }
  }
}

function podSpec (context: TemplateContext): IPodSpec {
  const { values, names } = context
  const security = values.securityContext
  const hardened = containerSecurity(values)
  // Native sidecars first, so that init containers (a migration through a database proxy) find them running.
  const initContainers = [
    ...values.sidecars.map((sidecar) => ({ ...structuredClone(sidecar), restartPolicy: 'Always', securityContext: { ...hardened, ...sidecar.securityContext } })),
    ...values.initContainers.map((init) => ({ ...structuredClone(init), securityContext: { ...hardened, ...init.securityContext } }))
  ]
  const spec: IPodSpec = {
    serviceAccountName: names.serviceAccount,
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    terminationGracePeriodSeconds: values.terminationGracePeriodSeconds,
    securityContext: {
      runAsNonRoot: security.runAsNonRoot,
      runAsUser: security.runAsUser,
      runAsGroup: security.runAsGroup,
      fsGroup: security.fsGroup,
      seccompProfile: { type: security.seccompProfile }
    },
    ...(initContainers.length > 0 ? { initContainers } : {}),
    containers: [container(context)],
    volumes: [{ name: 'tmp', emptyDir: { sizeLimit: values.container.tmpSizeLimit } }, ...structuredClone(values.extraVolumes)]
  }
  if (values.imagePullSecrets.length > 0) spec.imagePullSecrets = values.imagePullSecrets.map((name) => ({ name }))
  if (Object.keys(values.nodeSelector).length > 0) spec.nodeSelector = { ...values.nodeSelector }
  if (values.tolerations.length > 0) spec.tolerations = structuredClone(values.tolerations)
  if (Object.keys(values.affinity).length > 0) spec.affinity = structuredClone(values.affinity)
  if (values.priorityClassName !== '') spec.priorityClassName = values.priorityClassName
  if (values.hostAliases.length > 0) spec.hostAliases = structuredClone(values.hostAliases)
  const spread = [
    ...(values.topologySpread.zones ? ['topology.kubernetes.io/zone'] : []),
    ...(values.topologySpread.nodes ? ['kubernetes.io/hostname'] : [])
  ]
  if (spread.length > 0) {
    spec.topologySpreadConstraints = spread.map((topologyKey) => ({
      maxSkew: 1,
      topologyKey,
      whenUnsatisfiable: 'ScheduleAnyway',
      labelSelector: { matchLabels: { ...names.selector } },
      // Spread each ReplicaSet on its own: without it, old pods skew where the new ones land.
      // A target without the field (before 1.27) would refuse it: there the whole Deployment spreads.
      ...(supports(context.kube, 'matchLabelKeys') ? { matchLabelKeys: ['pod-template-hash'] } : {})
    }))
  }
  return spec
}

/** The app container's securityContext: the "restricted" profile by default; init containers and sidecars get it too unless they set their own. */
function containerSecurity (values: Values): NonNullable<IContainer['securityContext']> {
  const security = values.securityContext
  return {
    runAsNonRoot: security.runAsNonRoot,
    allowPrivilegeEscalation: security.allowPrivilegeEscalation,
    readOnlyRootFilesystem: security.readOnlyRootFilesystem,
    capabilities: {
      drop: ['ALL'],
      ...(security.addCapabilities.length > 0 ? { add: [...security.addCapabilities] } : {})
    }
  }
}

function container (context: TemplateContext): IContainer {
  const { values } = context
  const { image, container: settings, probes, shutdown } = values
  const probePort = probes.port === null ? 'http' : 'probes'
  const probe = (timing: ProbeValues): IProbe => ({
    httpGet: { path: timing.path, port: probePort },
    periodSeconds: timing.periodSeconds,
    timeoutSeconds: timing.timeoutSeconds,
    failureThreshold: timing.failureThreshold
  })
  const lifecycle = preStopHook(shutdown.preStop, context.kube)
  const result: IContainer = {
    name: 'app',
    image: `${image.repository}:${image.tag}${image.digest !== '' ? `@${image.digest}` : ''}`,
    imagePullPolicy: image.pullPolicy,
    ports: [
      { name: 'http', containerPort: settings.port, protocol: 'TCP' },
      ...(probes.port === null ? [] : [{ name: 'probes', containerPort: probes.port, protocol: 'TCP' as const }])
    ],
    env: [
      ...chartEnv(values),
      ...Object.entries(settings.env).map(([name, value]) => ({ name, value })),
      ...structuredClone(settings.extraEnv)
    ],
    startupProbe: probe(probes.startup),
    readinessProbe: { ...probe(probes.readiness), successThreshold: probes.readiness.successThreshold },
    livenessProbe: probe(probes.liveness),
    ...(lifecycle === undefined ? {} : { lifecycle }),
    resources: structuredClone(settings.resources),
    securityContext: containerSecurity(values),
    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }, ...structuredClone(settings.extraVolumeMounts)]
  }
  if (settings.command.length > 0) result.command = [...settings.command]
  if (settings.args.length > 0) result.args = [...settings.args]
  const envFrom = [
    ...(Object.keys(values.config).length > 0 ? [{ configMapRef: { name: configMapName(context) } }] : []),
    ...structuredClone(settings.envFrom)
  ]
  if (envFrom.length > 0) result.envFrom = envFrom
  return result
}

/** The preStop sleep: the kubelet's own action, or `sleep` run in the container for clusters before 1.30. */
function preStopHook ({ sleepSeconds, mode }: Values['shutdown']['preStop'], kube: KubeVersion | undefined): IContainer['lifecycle'] {
  // A zero sleep means no hook: before Kubernetes 1.32 the API rejects `sleep: { seconds: 0 }`.
  if (sleepSeconds === 0) return undefined
  const sleep = mode === 'sleep' || (mode === 'auto' && supports(kube, 'preStopSleep'))
  return {
    preStop: sleep
      ? { sleep: { seconds: sleepSeconds } }
      : { exec: { command: ['sleep', String(sleepSeconds)] } }
  }
}
