// Values from the command line: values files, then --set, then --set-string, each later one winning (Helm's order).
import { readInputFile } from '@zerodown/contract'
import { DeployValuesFileError } from './errors.js'
import { parseSet } from './set.js'
import { isPlainObject, mergeValues, type ValuesOverride } from './values.js'
import { parseYamlDocument } from './yaml-input.js'

export interface ValueInputs {
  /** Values files (`-f`), merged in order. */
  files?: string[]
  /** `--set key=value[,key=value]` expressions, merged in order after the files. */
  set?: string[]
  /** `--set-string key=value` expressions: like set, but every value stays a string. */
  setString?: string[]
}

/** Reads one values file: a YAML map (an empty file counts as no values), a regular file or a pipe of at most 4 MiB. */
export function readValuesFile (file: string): Record<string, unknown> {
  let data: unknown
  try {
    data = parseYamlDocument(readInputFile(file))
  } catch (err) {
    throw new DeployValuesFileError(file, (err as Error).message)
  }
  if (data === null || data === undefined) return {}
  if (!isPlainObject(data)) throw new DeployValuesFileError(file, 'expected a map of values at the top level')
  return data
}

/** One override object from files and --set flags; the chart's defaults go under it. */
export function collectOverrides (inputs: ValueInputs): ValuesOverride {
  let merged: unknown = {}
  for (const file of inputs.files ?? []) merged = mergeValues(merged, readValuesFile(file))
  for (const expression of inputs.set ?? []) merged = mergeValues(merged, parseSet(expression))
  for (const expression of inputs.setString ?? []) merged = mergeValues(merged, parseSet(expression, true))
  return merged as ValuesOverride
}
