// The Pod Security Standards (https://kubernetes.io/docs/concepts/security/pod-security-standards/),
// held to every container of the pod and every volume: a namespace that enforces a level refuses the
// whole pod for one privileged sidecar, so lint refuses it first. The level is a value, because it is
// the namespace's label (pod-security.kubernetes.io/enforce), not the chart's to choose.
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment'
import type { IContainer } from 'kubernetes-models/v1/Container'
import type { IVolume } from 'kubernetes-models/v1/Volume'
import type { Problem } from './problem.js'
import type { KubernetesObject } from './render.js'
import type { Values } from './values.js'

type PodSecurityStandard = Values['podSecurityStandard']

/** The capabilities "baseline" lets a container add (the container runtime's default set). */
const BASELINE_CAPABILITIES = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT'])
const RESTRICTED_CAPABILITIES = new Set(['NET_BIND_SERVICE'])
/** The volume types "restricted" allows; "baseline" refuses only hostPath. */
const RESTRICTED_VOLUMES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'])
const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t'])

const show = (value: unknown): string => JSON.stringify(value)

/** Why a level refuses something, in the words every message ends with. */
function forbiddenBy (level: PodSecurityStandard): string {
  return `the "${level}" Pod Security Standard forbids it, and namespaces that enforce it would refuse the pods`
}

/** The app container's settings (securityContext values): each a value of its own. */
export function appSecurityProblems (values: Values): Problem[] {
  const security = values.securityContext
  // At every level: the API server refuses type Localhost without a profile file, and the chart has no value for one.
  const localhost: Problem[] = security.seccompProfile === 'Localhost'
    ? [{ path: 'securityContext.seccompProfile', message: 'securityContext.seccompProfile "Localhost" needs a profile file (localhostProfile), for which the chart has no value: the API server would refuse the pods; use RuntimeDefault' }]
    : []
  const level = values.podSecurityStandard
  if (level === 'privileged') return localhost
  const why = forbiddenBy(level)
  const restricted = level === 'restricted'
  const problems: Problem[] = []
  if (restricted && !security.runAsNonRoot) problems.push({ path: 'securityContext.runAsNonRoot', message: `securityContext.runAsNonRoot false lets the container run as root: ${why}` })
  if (restricted && security.runAsUser === 0) problems.push({ path: 'securityContext.runAsUser', message: `securityContext.runAsUser 0 is root: ${why}; use a numeric non-root user like 1000` })
  if (restricted && security.allowPrivilegeEscalation) problems.push({ path: 'securityContext.allowPrivilegeEscalation', message: `securityContext.allowPrivilegeEscalation true lets a process gain privileges: ${why}` })
  const allowed = restricted ? RESTRICTED_CAPABILITIES : BASELINE_CAPABILITIES
  const extra = security.addCapabilities.filter((capability) => !allowed.has(capability))
  if (extra.length > 0) problems.push({ path: 'securityContext.addCapabilities', message: `securityContext.addCapabilities ${show(extra)}: only ${restricted ? 'NET_BIND_SERVICE' : [...allowed].join(', ')} may be added; ${why}` })
  if (security.seccompProfile === 'Unconfined') problems.push({ path: 'securityContext.seccompProfile', message: `securityContext.seccompProfile "Unconfined" turns seccomp off: ${why}` })
  return [...problems, ...localhost]
}

type Finding = [field: string, message: string]

/** What `level` forbids in one container as the pod runs it (the app's hardened context merged under its own). */
function containerFindings (container: IContainer, level: Exclude<PodSecurityStandard, 'privileged'>): Finding[] {
  const security = container.securityContext ?? {}
  const restricted = level === 'restricted'
  const findings: Finding[] = []
  if (security.privileged === true) findings.push(['privileged', 'privileged true gives the container every device and capability of the node'])
  if (security.windowsOptions?.hostProcess === true) findings.push(['windowsOptions', 'windowsOptions.hostProcess true runs the container as a process of the node'])
  const allowed = restricted ? RESTRICTED_CAPABILITIES : BASELINE_CAPABILITIES
  const added = (security.capabilities?.add ?? []).filter((capability) => !allowed.has(capability))
  if (added.length > 0) findings.push(['capabilities', `capabilities.add ${show(added)}: only ${restricted ? 'NET_BIND_SERVICE' : 'the runtime\'s default capabilities'} may be added`])
  if (restricted && !(security.capabilities?.drop ?? []).includes('ALL')) findings.push(['capabilities', 'capabilities.drop does not hold "ALL"'])
  if (security.seccompProfile?.type === 'Unconfined') findings.push(['seccompProfile', 'seccompProfile "Unconfined" turns seccomp off'])
  if (security.appArmorProfile?.type === 'Unconfined') findings.push(['appArmorProfile', 'appArmorProfile "Unconfined" turns AppArmor off'])
  const selinux = security.seLinuxOptions
  if (selinux !== undefined && (!SELINUX_TYPES.has(selinux.type ?? '') || (selinux.user ?? '') !== '' || (selinux.role ?? '') !== '')) {
    findings.push(['seLinuxOptions', `seLinuxOptions ${show(selinux)} sets a user, a role or a type other than the container types`])
  }
  if (security.procMount !== undefined && security.procMount !== 'Default') findings.push(['procMount', `procMount ${show(security.procMount)} unmasks /proc`])
  if (restricted && security.allowPrivilegeEscalation !== false) findings.push(['allowPrivilegeEscalation', 'allowPrivilegeEscalation is not false: a process could gain privileges'])
  if (restricted && security.runAsNonRoot === false) findings.push(['runAsNonRoot', 'runAsNonRoot false lets the container run as root'])
  if (restricted && security.runAsUser === 0) findings.push(['runAsUser', 'runAsUser 0 is root'])
  return findings
}

/** Host ports of a container: "baseline" and "restricted" refuse any. */
function hostPorts (container: IContainer): number[] {
  return (container.ports ?? []).map((port) => port.hostPort ?? 0).filter((port) => port !== 0)
}

/** A volume's type: its one field besides the name; with none, Kubernetes makes it an emptyDir. */
function volumeType (volume: IVolume): string {
  return Object.keys(volume).find((key) => key !== 'name') ?? 'emptyDir'
}

/**
 * Every sidecar, init container and extra volume of the rendered pod held to the values' level. A
 * container is judged as the pod runs it, but only what the container sets itself is reported: what
 * it inherits from the app's securityContext is reported once, at that value.
 */
export function podSecurityProblems (values: Values, objects: KubernetesObject[]): Problem[] {
  const level = values.podSecurityStandard
  const deployment = objects.find((object): object is IDeployment => object.kind === 'Deployment')
  const pod = deployment?.spec?.template.spec
  if (level === 'privileged' || pod === undefined) return []
  const why = forbiddenBy(level)
  const problems: Problem[] = []
  // Rendered in this order: the sidecars, then the init containers (see templates/deployment.ts).
  const own = [...values.sidecars.map((c, i) => [`sidecars[${i}]`, c] as const), ...values.initContainers.map((c, i) => [`initContainers[${i}]`, c] as const)]
  for (const [i, rendered] of (pod.initContainers ?? []).entries()) {
    const [where, container] = own[i] ?? [`initContainers[${i}]`, rendered]
    const set = container.securityContext ?? {}
    for (const [field, message] of containerFindings(rendered, level)) {
      if (Object.hasOwn(set, field)) problems.push({ path: `${where}.securityContext.${field}`, message: `${where} (${show(container.name)}): ${message}: ${why}` })
    }
    const ports = hostPorts(rendered)
    if (ports.length > 0) problems.push({ path: `${where}.ports`, message: `${where} (${show(container.name)}): hostPort ${ports.join(', ')} opens a port on the node: ${why}` })
  }
  // AppArmor set the old way, by pod annotation, per container.
  for (const [key, value] of Object.entries(values.podAnnotations)) {
    if (key.startsWith('container.apparmor.security.beta.kubernetes.io/') && value !== 'runtime/default' && !value.startsWith('localhost/')) {
      problems.push({ path: `podAnnotations.${key}`, message: `podAnnotations.${key} ${show(value)} turns AppArmor off: ${why}` })
    }
  }
  // The chart's own "tmp" volume comes first.
  for (const [i, volume] of values.extraVolumes.entries()) {
    const type = volumeType(volume)
    const refused = type === 'hostPath' || (level === 'restricted' && !RESTRICTED_VOLUMES.has(type))
    if (refused) {
      problems.push({
        path: `extraVolumes[${i}].${type}`,
        message: `extraVolumes[${i}] (${show(volume.name)}) is a volume of type ${type}${type === 'hostPath' ? ', which reaches the node\'s own files' : ` ("restricted" allows only ${[...RESTRICTED_VOLUMES].join(', ')})`}: ${why}; if your namespace allows it, set podSecurityStandard to the level it enforces`
      })
    }
  }
  return problems
}
