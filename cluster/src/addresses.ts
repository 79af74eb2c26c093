// The cluster's addresses, all from the benchmarking range 198.18.0.0/15 (RFC 2544), which no real
// network routes: pods on 198.18.0.0/24 behind the bridge, Services on 198.19.0.0/24. Both exist only
// inside the cluster's own network namespace; the pods get a route to the range and no default route.
export const ADDRESSES = {
  /** The node: the bridge's own address, the pods' gateway, the kubelet's node IP. */
  node: '198.18.0.1',
  bridge: 'cni0',
  pods: '198.18.0.0/24',
  firstPod: '198.18.0.10',
  services: '198.19.0.0/24',
  /** The `kubernetes` Service, the first address of the Service range. */
  kubernetesService: '198.19.0.1',
  /** What a pod can reach: the pods and the Services, nothing else. */
  cluster: '198.18.0.0/15'
} as const

/** Ports on the namespace's loopback (the namespace is the cluster's alone, so they are fixed). */
export const PORTS = {
  etcdClient: 2379,
  etcdPeer: 2380,
  apiserver: 6443,
  kubelet: 10250
} as const

export const NODE_NAME = 'zerodown-node'
