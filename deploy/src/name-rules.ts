// Lint for what the API server refuses and the values schema cannot see: label and annotation keys and
// values, host names, container, volume and port names, port numbers, and the names of rendered
// objects. Each problem names the value, quotes the rule and says how to fix it.
import type { IContainer } from 'kubernetes-models/v1/Container'
import {
  DNS1035_LABEL, DNS1123_LABEL, DNS1123_SUBDOMAIN, HOST_NAME, LABEL_VALUE, PORT_NAME, QUALIFIED_NAME, type NameRule
} from './kubernetes-names.js'
import { labelValue } from './names.js'
import type { Problem } from './problem.js'
import type { KubernetesObject } from './render.js'
import type { Values } from './values.js'

const show = (value: unknown): string => JSON.stringify(value)
const key = (path: string, name: string): string => /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? `${path}.${name}` : `${path}[${show(name)}]`

function broken (path: string, what: string, value: string, rule: NameRule, fix: string): Problem[] {
  return rule.test(value) ? [] : [{ path, message: `${what} ${show(value)} is not valid: it must be ${rule.rule}; ${fix}` }]
}

/** The labels the chart sets itself, and the values they come from. */
const CHART_LABELS: Record<string, string> = {
  'app.kubernetes.io/name': 'nameOverride',
  'app.kubernetes.io/instance': 'the release name',
  'app.kubernetes.io/version': 'image.tag',
  'app.kubernetes.io/component': 'component',
  'app.kubernetes.io/part-of': 'partOf',
  'app.kubernetes.io/managed-by': 'nothing: the chart sets it'
}

function labels (values: Values): Problem[] {
  const maps = { commonLabels: values.commonLabels, podLabels: values.podLabels, nodeSelector: values.nodeSelector }
  return Object.entries(maps).flatMap(([where, map]) => Object.entries(map).flatMap(([name, value]) => {
    const path = key(where, name)
    const owned = CHART_LABELS[name]
    if (owned !== undefined && where !== 'nodeSelector') {
      return [{ path, message: `${path} sets ${name}, a label the chart renders (selectors use the name and instance labels, which a Deployment cannot change); set ${owned} instead` }]
    }
    return [
      ...broken(path, 'the label key', name, QUALIFIED_NAME, 'for example "example.com/tier" or "tier"'),
      ...broken(path, 'the label value', value, LABEL_VALUE, `for example ${show(labelValue(value))}`)
    ]
  }))
}

function annotations (values: Values): Problem[] {
  const maps = {
    commonAnnotations: values.commonAnnotations,
    podAnnotations: values.podAnnotations,
    'serviceAccount.annotations': values.serviceAccount.annotations,
    'service.annotations': values.service.annotations,
    'ingress.annotations': values.ingress.annotations,
    'gateway.annotations': values.gateway.annotations
  }
  // The API server checks annotation keys in lower case; any string is a valid annotation value.
  return Object.entries(maps).flatMap(([where, map]) => Object.keys(map).flatMap((name) =>
    QUALIFIED_NAME.test(name.toLowerCase()) ? [] : broken(key(where, name), 'the annotation key', name, QUALIFIED_NAME, 'for example "example.com/owner"')))
}

function hosts (values: Values): Problem[] {
  const fix = 'for example "api.example.com" or "*.example.com"'
  return [
    ...values.ingress.hosts.flatMap(({ host }, i) => broken(`ingress.hosts[${i}].host`, 'the host', host, HOST_NAME, fix)),
    ...values.ingress.tls.flatMap(({ hosts }, i) => hosts.flatMap((host, j) => broken(`ingress.tls[${i}].hosts[${j}]`, 'the host', host, HOST_NAME, fix))),
    ...values.gateway.hostnames.flatMap((host, i) => broken(`gateway.hostnames[${i}]`, 'the host name', host, HOST_NAME, fix)),
    ...values.hostAliases.flatMap(({ hostnames }, i) => (hostnames ?? []).flatMap((host, j) => broken(`hostAliases[${i}].hostnames[${j}]`, 'the host name', host, DNS1123_SUBDOMAIN, 'for example "db.internal"')))
  ]
}

/** Init containers, sidecars and volumes: names the pod can hold, ports that do not collide with the app's. */
function podParts (values: Values): Problem[] {
  const problems: Problem[] = []
  const taken = new Map<number, string>([[values.container.port, 'container.port']])
  if (values.probes.port !== null) taken.set(values.probes.port, 'probes.port')
  const containerNames = new Set(['app'])
  const lists: Array<[string, IContainer[]]> = [['sidecars', values.sidecars], ['initContainers', values.initContainers]]
  for (const [where, containers] of lists) {
    for (const [i, container] of containers.entries()) {
      const path = `${where}[${i}]`
      const before = problems.length
      problems.push(...broken(`${path}.name`, 'the container name', container.name, DNS1123_LABEL, 'for example "proxy"'))
      if (problems.length === before && containerNames.has(container.name)) {
        problems.push({ path: `${path}.name`, message: `the container name ${show(container.name)} is already used in the pod${container.name === 'app' ? ' (by the app container)' : ''}; give each container its own name` })
      }
      containerNames.add(container.name)
      for (const [j, port] of (container.ports ?? []).entries()) {
        const at = `${path}.ports[${j}]`
        if (port.name !== undefined) problems.push(...broken(`${at}.name`, 'the port name', port.name, PORT_NAME, 'for example "metrics"'))
        if (!Number.isInteger(port.containerPort) || port.containerPort < 1 || port.containerPort > 65535) {
          problems.push({ path: `${at}.containerPort`, message: `the port ${show(port.containerPort)} is not valid: it must be a port number from 1 to 65535` })
        } else if (taken.has(port.containerPort) && where === 'sidecars') {
          problems.push({ path: `${at}.containerPort`, message: `the port ${port.containerPort} is already ${taken.get(port.containerPort) ?? ''}: containers of a pod share one network, so two cannot listen on one port; choose another port` })
        } else if (where === 'sidecars') {
          taken.set(port.containerPort, `${at}.containerPort`)
        }
      }
    }
  }
  const volumes = new Set(['tmp'])
  for (const [i, volume] of values.extraVolumes.entries()) {
    const path = `extraVolumes[${i}].name`
    const before = problems.length
    problems.push(...broken(path, 'the volume name', volume.name, DNS1123_LABEL, 'for example "certs"'))
    if (problems.length === before && volumes.has(volume.name)) {
      problems.push({ path, message: `the volume name ${show(volume.name)} is already used in the pod${volume.name === 'tmp' ? ' (by the chart\'s /tmp)' : ''}; give each volume its own name` })
    }
    volumes.add(volume.name)
  }
  for (const [i, mount] of values.container.extraVolumeMounts.entries()) {
    if (!volumes.has(mount.name)) {
      problems.push({ path: `container.extraVolumeMounts[${i}].name`, message: `the volume mount names ${show(mount.name)}, which is no volume of the pod: Kubernetes would refuse it; add it to extraVolumes or use one of ${show([...volumes])}` })
    }
  }
  if (values.priorityClassName !== '') {
    problems.push(...broken('priorityClassName', 'the PriorityClass name', values.priorityClassName, DNS1123_SUBDOMAIN, 'use the name of a PriorityClass in the cluster'))
  }
  return problems
}

/** Every problem with names, labels, annotations, hosts and ports in values that passed the schema. */
export function checkNames (values: Values): Problem[] {
  return [...labels(values), ...annotations(values), ...hosts(values), ...podParts(values)]
}

/** The name of each rendered object: a Service name is a DNS-1035 label (it becomes a DNS name), the rest DNS-1123 subdomains. */
export function checkObjectName (object: KubernetesObject): Problem[] {
  const name = object.metadata?.name ?? ''
  const rule = object.kind === 'Service' ? DNS1035_LABEL : DNS1123_SUBDOMAIN
  return broken(`${object.kind}/${name} metadata.name`, `the ${object.kind} name`, name, rule,
    'it comes from the release name, nameOverride or fullnameOverride (serviceAccount.name for the ServiceAccount): start the release name with a letter, or set fullnameOverride')
}
