// The chart's metadata (Chart.yaml), read from the package root.
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'

export interface ChartMetadata {
  apiVersion: string
  name: string
  description: string
  type: string
  version: string
  appVersion: string
  kubeVersion: string
  home: string
}

/** Chart.yaml: name, chart version, appVersion and the Kubernetes versions it targets. */
export function chartMetadata (): ChartMetadata {
  return parse(readFileSync(new URL('../Chart.yaml', import.meta.url), 'utf8')) as ChartMetadata
}
