// The configuration files of the components, written as JSON (which is YAML) into the cluster's folder.
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ADDRESSES, NODE_NAME, PORTS } from './addresses.js'
import type { ClientCert } from './certs.js'

export const SERVER = `https://127.0.0.1:${PORTS.apiserver}`

export async function writeKubeconfig (file: string, caFile: string, client: ClientCert): Promise<string> {
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'zerodown', cluster: { server: SERVER, 'certificate-authority': caFile } }],
    users: [{ name: 'zerodown', user: { 'client-certificate': client.cert, 'client-key': client.key } }],
    contexts: [{ name: 'zerodown', context: { cluster: 'zerodown', user: 'zerodown' } }],
    'current-context': 'zerodown'
  }
  await writeFile(file, JSON.stringify(config, null, 2))
  return file
}

export interface ContainerdPaths {
  root: string
  state: string
  socket: string
  runcRoot: string
  opt: string
  cniConf: string
  sandboxImage: string
}

/**
 * containerd 1.6 with its CRI plugin: every path inside the cluster's folder, pod network namespaces
 * under its state folder (not /run/netns), runc with cgroupfs, and restrict_oom_score_adj because
 * root here lacks CAP_SYS_RESOURCE (else every sandbox fails: "can't get final child's PID from pipe").
 */
export function containerdConfig (p: ContainerdPaths): string {
  return `version = 2
root = "${p.root}"
state = "${p.state}"
[grpc]
  address = "${p.socket}"
[plugins."io.containerd.internal.v1.opt"]
  path = "${p.opt}"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${p.sandboxImage}"
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "${p.runcRoot}"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "${p.cniConf}"
`
}

/** The pod network: Debian's bridge plugin on the node's bridge, addresses from host-local. */
export function cniConfig (ipamDir: string): string {
  return JSON.stringify({
    cniVersion: '0.4.0',
    name: 'zerodown',
    plugins: [{
      type: 'bridge',
      bridge: ADDRESSES.bridge,
      isGateway: true,
      ipMasq: false,
      hairpinMode: true,
      ipam: {
        type: 'host-local',
        dataDir: ipamDir,
        ranges: [[{ subnet: ADDRESSES.pods, rangeStart: ADDRESSES.firstPod, gateway: ADDRESSES.node }]],
        routes: [{ dst: ADDRESSES.cluster }]
      }
    }]
  }, null, 2)
}

export interface KubeletPaths {
  caFile: string
  resolvConf: string
  cgroupRoot: string
}

export function kubeletConfig (p: KubeletPaths): string {
  return JSON.stringify({
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    address: ADDRESSES.node,
    port: PORTS.kubelet,
    readOnlyPort: 0,
    healthzPort: 0,
    authentication: { anonymous: { enabled: false }, webhook: { enabled: false }, x509: { clientCAFile: p.caFile } },
    authorization: { mode: 'AlwaysAllow' },
    cgroupDriver: 'cgroupfs',
    cgroupRoot: p.cgroupRoot,
    cgroupsPerQOS: true,
    failSwapOn: false,
    resolvConf: p.resolvConf,
    clusterDomain: 'cluster.local',
    // The shared disk may be fuller than the defaults allow; evicting test pods would prove nothing.
    evictionHard: { 'memory.available': '100Mi', 'nodefs.available': '1%', 'imagefs.available': '1%', 'nodefs.inodesFree': '1%' },
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    serializeImagePulls: false,
    rotateCertificates: false,
    // The kubelet sets its kernel defaults; the cluster restores them when it goes down.
    protectKernelDefaults: false
  }, null, 2)
}

export interface ProxyTimings {
  /** kube-proxy's --iptables-min-sync-period, the floor of how fast an endpoint change reaches iptables. */
  minSyncPeriod: string
  syncPeriod: string
}

export const PROXY_TIMINGS: ProxyTimings = { minSyncPeriod: '1s', syncPeriod: '30s' }

export function proxyConfig (kubeconfig: string, timings: ProxyTimings = PROXY_TIMINGS): string {
  return JSON.stringify({
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    clientConnection: { kubeconfig },
    mode: 'iptables',
    clusterCIDR: ADDRESSES.pods,
    hostnameOverride: NODE_NAME,
    bindAddress: '127.0.0.1',
    healthzBindAddress: '127.0.0.1:10256',
    metricsBindAddress: '127.0.0.1:10249',
    // 0: leave the machine's conntrack limits and timeouts as they are (they are not per namespace).
    conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' },
    iptables: { minSyncPeriod: timings.minSyncPeriod, syncPeriod: timings.syncPeriod, masqueradeAll: false }
  }, null, 2)
}

export async function writeText (dir: string, name: string, text: string): Promise<string> {
  const file = join(dir, name)
  await writeFile(file, text)
  return file
}
