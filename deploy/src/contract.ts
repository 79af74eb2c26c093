// The chart's side of the contract (@zerodown/contract): the environment variables it renders, each
// from one value as the contract's table says, and the check that every one of them is a value the
// plugin reading it will accept at start.
import { envProblem, PROPAGATION_ANNOTATION, SETTINGS, type ContractSetting } from '@zerodown/contract'
import type { Problem } from './problem.js'
import type { Values } from './values.js'

export { PROPAGATION_ANNOTATION }

type Rendered = ContractSetting & { chart: NonNullable<ContractSetting['chart']> }

/** The settings the chart renders, in the order they appear in the pod. */
const RENDERED: readonly Rendered[] = (Object.values(SETTINGS) as ContractSetting[]).filter((s): s is Rendered => s.chart !== undefined)

export type ChartEnvName = string

/**
 * Every environment variable the chart renders, by name, with the value it comes from. The chart
 * owns these names: lint refuses them in `container.env` and `config`.
 */
export const CHART_ENV: Readonly<Record<ChartEnvName, string>> = Object.freeze(Object.fromEntries(RENDERED.map((s) => [s.env, s.chart.path])))

/** A value by its dotted path, as values.yaml nests it. */
function valueAt (values: Values, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], values)
}

/** The variable's text, or undefined when the chart leaves it out (a null value). */
function renderedValue (values: Values, setting: Rendered): string | undefined {
  const value = valueAt(values, setting.chart.path)
  if (value === null || value === undefined) return undefined
  return typeof value === 'number' ? String(value * (setting.chart.scale ?? 1)) : String(value)
}

/** The app's side of the contract, derived from the values that also render the manifest. */
export function chartEnv (values: Values): Array<{ name: ChartEnvName, value: string }> {
  return RENDERED.flatMap((setting) => {
    const value = renderedValue(values, setting)
    return value === undefined ? [] : [{ name: setting.env, value }]
  })
}

/** Each rendered variable that its plugin would refuse at start, in the plugin's own words. */
export function pluginEnvProblems (values: Values): Problem[] {
  return RENDERED.flatMap((setting) => {
    const value = renderedValue(values, setting)
    // An empty variable counts as unset in every plugin: it is not refused (other rules may be).
    const problem = value === undefined || value === '' ? undefined : envProblem(setting, value)
    if (problem === undefined) return []
    const reader = setting.plugin === undefined ? 'the app' : `@zerodown/${setting.plugin.name}`
    return [{
      path: setting.chart.path,
      message: `${setting.chart.path} ${JSON.stringify(valueAt(values, setting.chart.path))} is rendered as ${setting.env}=${JSON.stringify(value)}, which ${reader} refuses at start, so every pod would crash-loop: ${problem}`
    }]
  })
}
