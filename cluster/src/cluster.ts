// A one-node Kubernetes 1.20 as a child of the caller: etcd and the API server on the loopback of a
// network namespace of its own, the controller manager, the scheduler, containerd with runc, the
// kubelet and kube-proxy (iptables) beside them, pods on a bridge in that namespace. `down()` leaves
// the machine as it was: processes, mounts, cgroups, pod logs and the kernel settings the kubelet
// changed (the namespace takes its links, routes and iptables rules with it).
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { ADDRESSES, NODE_NAME, PORTS } from './addresses.js'
import { checkRuntime, ClusterSetupError, kubernetesBin, pauseImage } from './binaries.js'
import { IDENTITIES, makeCertificates } from './certs.js'
import { killNetns, listing, makeCgroups, POD_LOG_DIRS, removeCgroups, removeNewEntries, unmountUnder } from './cleanup.js'
import { Component } from './component.js'
import { cniConfig, containerdConfig, kubeletConfig, proxyConfig, writeKubeconfig, writeText, PROXY_TIMINGS, type ProxyTimings } from './configs.js'
import { NetworkNamespace } from './netns.js'
import { PACKAGE_DIR } from './paths.js'
import { run, type RunOptions } from './run.js'
import { forgetRun, recordRun, staleRuns, type RunRecord } from './stale.js'
import { readSysctls, restoreSysctls } from './sysctls.js'

export interface ClusterOptions {
  /** Podman image references to load into the cluster's containerd (nothing is ever pulled). */
  images?: string[]
  /** kube-proxy's iptables sync periods. Default: min 1 s, full 30 s (kube-proxy's own defaults). */
  proxy?: ProxyTimings
  /** Told each step as it starts. */
  onStep?: (step: string) => void
}

const STARTUP_MS = 180_000
/** podman with the repository's containers configuration, where the images are built. */
const PODMAN = join(PACKAGE_DIR, '..', 'scripts', 'containers', 'podman.sh')

export class Cluster {
  private readonly components: Component[] = []
  private stopped = false

  private constructor (
    readonly dir: string,
    readonly netns: NetworkNamespace,
    readonly bin: string,
    /** The admin's kubeconfig (system:masters). */
    readonly kubeconfig: string,
    private readonly record: RunRecord
  ) {}

  /**
   * Starts a cluster and waits until its node is Ready; on any failure, everything started goes down.
   * First it cleans up after clusters whose owner died (a test runner stopped mid-run).
   */
  static async up (opts: ClusterOptions = {}): Promise<Cluster> {
    if (process.getuid?.() !== 0) throw new ClusterSetupError('the cluster needs root (network namespaces, cgroups, mounts)')
    for (const record of await staleRuns()) await cleanUp(record)
    const step = opts.onStep ?? (() => {})
    await checkRuntime()
    step('the Kubernetes binaries')
    const bin = await kubernetesBin()
    step('the pause image')
    const pause = await pauseImage()

    const dir = await mkdtemp('/var/tmp/zerodown-cluster-')
    const id = basename(dir).slice('zerodown-cluster-'.length)
    const logDirs: Record<string, string[] | null> = {}
    for (const d of POD_LOG_DIRS) logDirs[d] = await listing(d)
    const record: RunRecord = {
      owner: process.pid,
      dir,
      etcdDir: join('/dev/shm', `zerodown-etcd-${id}`),
      cgroupRoot: `/zerodown-${id}`,
      sysctls: await readSysctls(),
      logDirs,
      netns: ''
    }
    const netns = await NetworkNamespace.create()
    record.netns = await netns.id()
    await recordRun(record)
    const cluster = new Cluster(dir, netns, bin, join(dir, 'admin.kubeconfig'), record)
    try {
      await cluster.start(pause, opts, step)
      for (const image of opts.images ?? []) await cluster.importImage(image)
    } catch (err) {
      const logs = await Promise.all(cluster.components.filter((c) => !c.running).map(async (c) => `--- ${c.name} (exited):\n${await c.why()}`))
      await cluster.down()
      if (logs.length > 0 && err instanceof Error) err.message += `\n${logs.join('\n')}`
      throw err
    }
    return cluster
  }

  private async start (pause: string, opts: ClusterOptions, step: (s: string) => void): Promise<void> {
    const { dir, netns, bin, record } = this
    const logs = join(dir, 'logs')
    const pki = join(dir, 'pki')
    for (const d of [logs, pki, join(dir, 'cni'), record.etcdDir]) await mkdir(d, { recursive: true })

    step('the network namespace')
    // The node's side: loopback, the pods' bridge carrying the node's address, a route to the Services.
    await netns.run(['ip', 'link', 'set', 'lo', 'up'])
    await netns.run(['ip', 'link', 'add', ADDRESSES.bridge, 'type', 'bridge'])
    await netns.run(['ip', 'addr', 'add', `${ADDRESSES.node}/24`, 'dev', ADDRESSES.bridge])
    await netns.run(['ip', 'link', 'set', ADDRESSES.bridge, 'up'])
    await netns.run(['ip', 'route', 'add', ADDRESSES.services, 'dev', ADDRESSES.bridge, 'src', ADDRESSES.node])
    await netns.run(['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1', 'net.bridge.bridge-nf-call-iptables=1'])

    step('certificates')
    const certs = await makeCertificates(pki, {
      ips: ['127.0.0.1', ADDRESSES.node, ADDRESSES.kubernetesService],
      dns: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local']
    })
    const kubeconfig = async (name: string, identity: { user: string, group?: string }): Promise<string> =>
      await writeKubeconfig(join(dir, `${name}.kubeconfig`), certs.ca.cert, await certs.client(identity))
    await kubeconfig('admin', IDENTITIES.admin)
    const apiserverKubelet = await certs.client(IDENTITIES.apiserverKubeletClient)

    step('etcd')
    this.spawn('etcd', ['etcd', '--name', 'zerodown', '--data-dir', join(record.etcdDir, 'data'),
      '--listen-client-urls', `http://127.0.0.1:${PORTS.etcdClient}`, '--advertise-client-urls', `http://127.0.0.1:${PORTS.etcdClient}`,
      '--listen-peer-urls', `http://127.0.0.1:${PORTS.etcdPeer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${PORTS.etcdPeer}`,
      '--initial-cluster', `zerodown=http://127.0.0.1:${PORTS.etcdPeer}`, '--logger', 'zap', '--log-level', 'warn'])

    step('the API server')
    this.spawn('kube-apiserver', [join(bin, 'kube-apiserver'),
      `--etcd-servers=http://127.0.0.1:${PORTS.etcdClient}`,
      '--bind-address=127.0.0.1', `--secure-port=${PORTS.apiserver}`, '--insecure-port=0',
      `--advertise-address=${ADDRESSES.node}`,
      `--service-cluster-ip-range=${ADDRESSES.services}`,
      `--client-ca-file=${certs.ca.cert}`,
      `--tls-cert-file=${certs.apiserver.cert}`, `--tls-private-key-file=${certs.apiserver.key}`,
      `--kubelet-client-certificate=${apiserverKubelet.cert}`, `--kubelet-client-key=${apiserverKubelet.key}`,
      `--service-account-key-file=${certs.serviceAccount.pub}`,
      `--service-account-signing-key-file=${certs.serviceAccount.key}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      '--authorization-mode=Node,RBAC',
      '--enable-admission-plugins=NodeRestriction',
      '--v=1'])
    await this.waitFor('the API server to be ready', async () => (await this.kubectl(['get', '--raw', '/readyz'])).trim() === 'ok')

    step('containerd')
    const containerd = join(dir, 'containerd')
    const socket = join(containerd, 'containerd.sock')
    const cniConf = join(dir, 'cni')
    await writeText(cniConf, '10-zerodown.conflist', cniConfig(join(dir, 'cni-ipam')))
    const containerdToml = await writeText(dir, 'containerd.toml', containerdConfig({
      root: join(containerd, 'root'), state: join(containerd, 'state'), socket, runcRoot: join(containerd, 'runc'), opt: join(containerd, 'opt'), cniConf, sandboxImage: pause
    }))
    this.spawn('containerd', ['containerd', '--config', containerdToml])
    await this.waitFor('containerd', async () => existsSync(socket) && await run(['ctr', '--address', socket, 'version']).then(() => true, () => false))
    this.socket = socket
    await this.importImage(pause)

    step('the controller manager, the scheduler, the kubelet and kube-proxy')
    this.controllerManager = [join(bin, 'kube-controller-manager'),
      `--kubeconfig=${await kubeconfig('controller-manager', IDENTITIES.controllerManager)}`,
      `--service-account-private-key-file=${certs.serviceAccount.key}`, `--root-ca-file=${certs.ca.cert}`,
      '--use-service-account-credentials=true', '--leader-elect=false', '--port=0', '--secure-port=0', '--v=1']
    this.spawn('kube-controller-manager', this.controllerManager)
    this.spawn('kube-scheduler', [join(bin, 'kube-scheduler'),
      `--kubeconfig=${await kubeconfig('scheduler', IDENTITIES.scheduler)}`, '--leader-elect=false', '--port=0', '--secure-port=0', '--v=1'])
    // The kubelet's own identity: system:node:<name> in system:nodes, for the Node authorizer.
    const kubeletKubeconfig = await kubeconfig('kubelet', { user: `system:node:${NODE_NAME}`, group: 'system:nodes' })
    const resolvConf = await writeText(dir, 'resolv.conf', '')
    await makeCgroups(record.cgroupRoot)
    const kubeletYaml = await writeText(dir, 'kubelet.yaml', kubeletConfig({ caFile: certs.ca.cert, resolvConf, cgroupRoot: record.cgroupRoot }))
    this.spawn('kubelet', [join(bin, 'kubelet'), `--config=${kubeletYaml}`, `--kubeconfig=${kubeletKubeconfig}`,
      '--container-runtime=remote', `--container-runtime-endpoint=unix://${socket}`,
      `--node-ip=${ADDRESSES.node}`, `--hostname-override=${NODE_NAME}`,
      `--root-dir=${join(dir, 'kubelet')}`, `--cert-dir=${join(dir, 'kubelet', 'pki')}`, '--v=1'])
    const proxyYaml = await writeText(dir, 'kube-proxy.yaml', proxyConfig(await kubeconfig('kube-proxy', IDENTITIES.proxy), opts.proxy ?? PROXY_TIMINGS))
    this.spawn('kube-proxy', [join(bin, 'kube-proxy'), `--config=${proxyYaml}`, '--v=1'])

    step('the node to be Ready')
    await this.waitFor(`the node ${NODE_NAME} to be Ready`, async () => {
      const status = await this.kubectl(['get', 'node', NODE_NAME, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']).catch(() => '')
      return status === 'True'
    })
    await this.waitFor('the default service account', async () => await this.kubectl(['get', 'serviceaccount', 'default']).then(() => true, () => false))
  }

  private socket = ''
  private controllerManager: string[] = []
  /** The controller manager's endpoint batch period now, seconds. */
  private batchSeconds = 0

  /**
   * Restarts the controller manager with its endpoint controllers batching pod changes for `seconds`
   * (--endpointslice-updates-batch-period and --endpoint-updates-batch-period): every endpoint change
   * then reaches kube-proxy that much later, as behind a slower load balancer. 0 is the default.
   */
  async setEndpointBatchPeriod (seconds: number): Promise<void> {
    if (seconds === this.batchSeconds) return
    const old = this.components.find((c) => c.name === 'kube-controller-manager')!
    await old.stop()
    this.components.splice(this.components.indexOf(old), 1)
    this.spawn('kube-controller-manager', [...this.controllerManager,
      `--endpointslice-updates-batch-period=${seconds}s`, `--endpoint-updates-batch-period=${seconds}s`])
    this.batchSeconds = seconds
  }

  private spawn (name: string, command: string[]): Component {
    const component = new Component(name, command, this.netns, join(this.dir, 'logs'))
    this.components.push(component)
    return component
  }

  private async waitFor (what: string, ready: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + STARTUP_MS
    while (Date.now() < deadline) {
      const dead = this.components.find((c) => !c.running)
      if (dead !== undefined) throw new ClusterSetupError(`${dead.name} exited while waiting for ${what}`)
      if (await ready().catch(() => false)) return
      await sleep(250)
    }
    throw new ClusterSetupError(`timed out after ${STARTUP_MS / 1000} s waiting for ${what}`)
  }

  /** `command` as it must be run to reach the cluster's addresses: inside its network namespace. */
  wrap (command: string[]): string[] {
    return this.netns.wrap(command)
  }

  /** kubectl (the one built with the cluster) as the admin, inside the namespace; returns stdout. */
  async kubectl (args: string[], opts?: RunOptions): Promise<string> {
    return await this.netns.run([join(this.bin, 'kubectl'), `--kubeconfig=${this.kubeconfig}`, ...args], opts)
  }

  /** Loads a podman image into the cluster's containerd, under the same reference. */
  async importImage (ref: string): Promise<void> {
    const archive = join(this.dir, 'image.tar')
    await run(['sh', PODMAN, 'save', '--quiet', '--format', 'docker-archive', '--output', archive, ref], { timeoutMs: 600_000 })
    await run(['ctr', '--address', this.socket, '--namespace', 'k8s.io', 'images', 'import', archive], { timeoutMs: 600_000 })
    await rm(archive, { force: true })
  }

  /** The logs of every component, for a failure message. */
  async logs (lines = 20): Promise<string> {
    return (await Promise.all(this.components.map(async (c) => `--- ${c.name}:\n${await c.tail(lines)}`))).join('\n')
  }

  /** Stops every component, removes what the cluster made and restores what it changed. Idempotent. */
  async down (): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    const byName = (name: string): Component | undefined => this.components.find((c) => c.name === name)
    for (const name of ['kube-proxy', 'kubelet', 'kube-scheduler', 'kube-controller-manager']) await byName(name)?.stop()
    // The containers first (their processes are in the kubelet's cgroups), then containerd and its shims.
    await removeCgroups(this.record.cgroupRoot)
    await byName('containerd')?.stop()
    for (const name of ['kube-apiserver', 'etcd']) await byName(name)?.stop()
    this.netns.close()
    await cleanUp(this.record)
  }
}

/** Everything a cluster run leaves besides its components, also for a run whose owner died. */
export async function cleanUp (record: RunRecord): Promise<void> {
  if (record.netns !== '') await killNetns(record.netns)
  await removeCgroups(record.cgroupRoot)
  await unmountUnder(record.dir)
  await rm(record.dir, { recursive: true, force: true })
  await rm(record.etcdDir, { recursive: true, force: true })
  await removeNewEntries(record.logDirs)
  await restoreSysctls(record.sysctls)
  await forgetRun(record)
}
