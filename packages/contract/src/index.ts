export { describeValue } from './describe.js'
export * as forms from './forms.js'
export { MAX_HEADER_TEXT, MAX_TIMER_MS, type Form } from './forms.js'
export { DEFAULT_VERSION_PATH, SETTINGS, KUBERNETES_SERVICE_HOST, type ContractSetting, type PluginName, type SettingName } from './settings.js'
export { envMessage, envProblem, readEnv, resolveSetting, type Env, type InvalidEnv, type Setting } from './resolve.js'
export { checkOptions, FASTIFY_REGISTER_KEYS, isPlainObject, object, type InvalidOption, type ObjectForm, type Shape } from './options.js'
export { closest } from './closest.js'
export {
  acceptsThroughPropagation, drainFitsTimeout, graceCoversShutdown, MIN_PROPAGATION_SECONDS, PROPAGATION_ANNOTATION, type Timings
} from './timing.js'
export { contractTable } from './table.js'
export { claimRoute, type RouteHost } from './routes.js'
export { InputFileError, MAX_INPUT_FILE_BYTES, readInputFile } from './files.js'
