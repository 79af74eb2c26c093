// Object names and labels, computed the way Helm's `helm create` helpers do.
import type { Values } from './values.js'

export const MANAGED_BY = 'zerodown-deploy'

/** Helm's `trunc 63 | trimSuffix "-"`: Kubernetes names and label values are at most 63 characters. */
export function trunc63 (name: string): string {
  return name.slice(0, 63).replace(/-+$/, '')
}

/** The app's name: `nameOverride`, else the chart name. */
export function appName (chartName: string, values: Values): string {
  return trunc63(values.nameOverride !== '' ? values.nameOverride : chartName)
}

/** Like Helm's `fullname`: the release alone when it already contains the name, else `<release>-<name>`. */
export function fullName (release: string, chartName: string, values: Values): string {
  if (values.fullnameOverride !== '') return trunc63(values.fullnameOverride)
  const name = values.nameOverride !== '' ? values.nameOverride : chartName
  return trunc63(release.includes(name) ? release : `${release}-${name}`)
}

/** A label value made valid: at most 63 characters of [A-Za-z0-9._-], starting and ending alphanumeric. */
export function labelValue (text: string): string {
  return text.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 63).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '')
}

export interface Names {
  release: string
  name: string
  fullname: string
  serviceAccount: string
  /** The two labels that select the pods: never the version, which changes every rollout. */
  selector: Record<string, string>
  /** Every standard label, for object metadata and the pod template. */
  labels: Record<string, string>
}

export function names (release: string, chartName: string, values: Values): Names {
  const name = appName(chartName, values)
  const fullname = fullName(release, chartName, values)
  const selector = {
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/instance': labelValue(release)
  }
  const labels: Record<string, string> = { ...selector }
  const version = labelValue(values.image.tag)
  if (version !== '') labels['app.kubernetes.io/version'] = version
  if (values.component !== '') labels['app.kubernetes.io/component'] = labelValue(values.component)
  labels['app.kubernetes.io/part-of'] = labelValue(values.partOf !== '' ? values.partOf : name)
  labels['app.kubernetes.io/managed-by'] = MANAGED_BY
  const serviceAccount = values.serviceAccount.name !== ''
    ? values.serviceAccount.name
    : values.serviceAccount.create ? fullname : 'default'
  return { release, name, fullname, serviceAccount, selector, labels }
}
