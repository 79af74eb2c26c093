// What can be rehearsed, one file per scenario.
import type { Scenario } from '../options.js'
import type { ScenarioRun } from './context.js'
import { nodeDrain } from './node-drain.js'
import { restart } from './restart.js'
import { rollback } from './rollback.js'
import { rollingUpdate } from './rolling-update.js'

export const SCENARIO_RUNS: Record<Scenario, ScenarioRun> = {
  'rolling-update': rollingUpdate,
  rollback,
  restart,
  'node-drain': nodeDrain
}
