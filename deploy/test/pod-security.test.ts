// The whole pod held to the Pod Security Standard the namespace enforces: each unsafe field in a
// sidecar and in an init container, each volume type, and the level as the one way to allow more.
import { test } from 'tap'
import { lint, type ValuesOverride } from '../src/index.js'

const why = (level: string): string => `the "${level}" Pod Security Standard forbids it, and namespaces that enforce it would refuse the pods`

// [what, the container's own fields, the field reported, the words of the finding, refused by baseline too]
const unsafe: Array<[string, Record<string, unknown>, string, string, boolean]> = [
  ['privileged', { securityContext: { privileged: true } }, 'securityContext.privileged', 'privileged true gives the container every device and capability of the node', true],
  ['root', { securityContext: { runAsUser: 0 } }, 'securityContext.runAsUser', 'runAsUser 0 is root', false],
  ['runAsNonRoot false', { securityContext: { runAsNonRoot: false } }, 'securityContext.runAsNonRoot', 'runAsNonRoot false lets the container run as root', false],
  ['privilege escalation', { securityContext: { allowPrivilegeEscalation: true } }, 'securityContext.allowPrivilegeEscalation', 'allowPrivilegeEscalation is not false: a process could gain privileges', false],
  ['SYS_ADMIN', { securityContext: { capabilities: { drop: ['ALL'], add: ['SYS_ADMIN'] } } }, 'securityContext.capabilities', 'capabilities.add ["SYS_ADMIN"]: only NET_BIND_SERVICE may be added', true],
  ['capabilities not dropped', { securityContext: { capabilities: { drop: ['NET_RAW'] } } }, 'securityContext.capabilities', 'capabilities.drop does not hold "ALL"', false],
  ['capabilities replaced by none', { securityContext: { capabilities: {} } }, 'securityContext.capabilities', 'capabilities.drop does not hold "ALL"', false],
  ['seccomp off', { securityContext: { seccompProfile: { type: 'Unconfined' } } }, 'securityContext.seccompProfile', 'seccompProfile "Unconfined" turns seccomp off', true],
  ['AppArmor off', { securityContext: { appArmorProfile: { type: 'Unconfined' } } }, 'securityContext.appArmorProfile', 'appArmorProfile "Unconfined" turns AppArmor off', true],
  ['an SELinux user', { securityContext: { seLinuxOptions: { user: 'system_u' } } }, 'securityContext.seLinuxOptions', 'seLinuxOptions {"user":"system_u"} sets a user, a role or a type other than the container types', true],
  ['an unmasked /proc', { securityContext: { procMount: 'Unmasked' } }, 'securityContext.procMount', 'procMount "Unmasked" unmasks /proc', true],
  ['a Windows host process', { securityContext: { windowsOptions: { hostProcess: true } } }, 'securityContext.windowsOptions', 'windowsOptions.hostProcess true runs the container as a process of the node', true],
  ['a host port', { ports: [{ containerPort: 9000, hostPort: 9000 }] }, 'ports', 'hostPort 9000 opens a port on the node', true]
]

for (const list of ['sidecars', 'initContainers'] as const) {
  test(`every unsafe field of ${list === 'sidecars' ? 'a sidecar' : 'an init container'} is refused, at its own path, by the level that forbids it`, async (t) => {
    for (const [what, fields, field, words, baseline] of unsafe) {
      const values = (level: string): ValuesOverride => ({ podSecurityStandard: level, [list]: [{ name: 'helper', image: 'helper:1.0', ...fields }] } as ValuesOverride)
      t.same(lint(values('restricted')), [{ path: `${list}[0].${field}`, message: `${list}[0] ("helper"): ${words}: ${why('restricted')}` }], `${what}: restricted`)
      const atBaseline = lint(values('baseline'))
      if (baseline) {
        const baselineWords = what === 'SYS_ADMIN' ? 'capabilities.add ["SYS_ADMIN"]: only the runtime\'s default capabilities may be added' : words
        t.same(atBaseline, [{ path: `${list}[0].${field}`, message: `${list}[0] ("helper"): ${baselineWords}: ${why('baseline')}` }], `${what}: baseline`)
      } else {
        t.same(atBaseline, [], `${what}: baseline allows it`)
      }
      t.same(lint(values('privileged')), [], `${what}: privileged allows it`)
    }
  })
}

test('a container that sets nothing inherits the hardened context and passes; a safe one of its own passes too', async (t) => {
  t.same(lint({ sidecars: [{ name: 'proxy', image: 'envoy:1.0' }], initContainers: [{ name: 'migrate', image: 'app:1.0' }] }), [])
  t.same(lint({
    initContainers: [{
      name: 'migrate',
      image: 'app:1.0',
      ports: [{ containerPort: 9000 }],
      securityContext: { runAsNonRoot: true, runAsUser: 2000, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] }, seccompProfile: { type: 'RuntimeDefault' }, seLinuxOptions: { type: 'container_t' } }
    }]
  } as ValuesOverride), [])
})

test('what a container inherits from the app is reported once, at the app\'s value', async (t) => {
  t.same(lint({ securityContext: { allowPrivilegeEscalation: true }, sidecars: [{ name: 'proxy', image: 'envoy:1.0' }] }).map((problem) => problem.path), ['securityContext.allowPrivilegeEscalation'])
})

test('volumes: hostPath only where the level allows it, and restricted allows only its eight types', async (t) => {
  const volume = (level: string, spec: Record<string, unknown>): ValuesOverride => ({ podSecurityStandard: level, extraVolumes: [{ name: 'v', ...spec }] } as ValuesOverride)
  const hostPath = { hostPath: { path: '/' } }
  const hostPathMessage = (level: string): string => `extraVolumes[0] ("v") is a volume of type hostPath, which reaches the node's own files: ${why(level)}; if your namespace allows it, set podSecurityStandard to the level it enforces`
  t.same(lint(volume('restricted', hostPath)), [{ path: 'extraVolumes[0].hostPath', message: hostPathMessage('restricted') }])
  t.same(lint(volume('baseline', hostPath)), [{ path: 'extraVolumes[0].hostPath', message: hostPathMessage('baseline') }])
  t.same(lint(volume('privileged', hostPath)), [], 'the explicit level allows it')
  const nfs = { nfs: { server: 'nfs.internal', path: '/share' } }
  t.same(lint(volume('restricted', nfs)).map((problem) => problem.message), [
    `extraVolumes[0] ("v") is a volume of type nfs ("restricted" allows only configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret): ${why('restricted')}; if your namespace allows it, set podSecurityStandard to the level it enforces`
  ])
  t.same(lint(volume('baseline', nfs)), [], 'baseline refuses only hostPath')
  t.same(lint(volume('restricted', {})), [], 'a volume with no source is an emptyDir, as Kubernetes defaults it')
  for (const spec of [{ emptyDir: {} }, { secret: { secretName: 's' } }, { configMap: { name: 'c' } }, { persistentVolumeClaim: { claimName: 'p' } }, { projected: { sources: [] } }, { downwardAPI: { items: [] } }]) {
    t.same(lint(volume('restricted', spec)), [], `${Object.keys(spec)[0] ?? ''} is allowed`)
  }
})

test('AppArmor turned off by pod annotation is refused; the runtime default and a local profile pass', async (t) => {
  const key = 'container.apparmor.security.beta.kubernetes.io/app'
  t.same(lint({ podAnnotations: { [key]: 'unconfined' } }), [{ path: `podAnnotations.${key}`, message: `podAnnotations.${key} "unconfined" turns AppArmor off: ${why('restricted')}` }])
  t.same(lint({ podAnnotations: { [key]: 'runtime/default' } }), [])
  t.same(lint({ podAnnotations: { [key]: 'localhost/k8s-app' } }), [])
})

test('the app container follows the level too: baseline allows root and default capabilities, never seccomp off', async (t) => {
  t.same(lint({ podSecurityStandard: 'baseline', securityContext: { runAsNonRoot: false, runAsUser: 0, allowPrivilegeEscalation: true, addCapabilities: ['CHOWN'] } }), [])
  t.same(lint({ podSecurityStandard: 'baseline', securityContext: { addCapabilities: ['NET_ADMIN'] } }).map((problem) => problem.path), ['securityContext.addCapabilities'])
  t.same(lint({ podSecurityStandard: 'baseline', securityContext: { seccompProfile: 'Unconfined' } }).map((problem) => problem.path), ['securityContext.seccompProfile'])
  t.same(lint({ podSecurityStandard: 'privileged', securityContext: { runAsUser: 0, seccompProfile: 'Unconfined' } } as ValuesOverride), [])
  t.same(lint({ podSecurityStandard: 'none' } as unknown as ValuesOverride).map((problem) => problem.path), ['podSecurityStandard'], 'an unknown level is a schema error')
})

test('seccomp Localhost needs a profile file the chart cannot name: refused at every level', async (t) => {
  for (const level of ['restricted', 'baseline', 'privileged']) {
    t.same(lint({ podSecurityStandard: level, securityContext: { seccompProfile: 'Localhost' } } as ValuesOverride), [{
      path: 'securityContext.seccompProfile',
      message: 'securityContext.seccompProfile "Localhost" needs a profile file (localhostProfile), for which the chart has no value: the API server would refuse the pods; use RuntimeDefault'
    }], level)
  }
})
