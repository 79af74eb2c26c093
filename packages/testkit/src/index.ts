export { startServerProcess, type Exit, type ServerProcess, type ServerProcessOptions } from './server-process.js'
export { send, startKeepAliveLoad, type Load, type LoadOptions, type RequestRecord } from './keep-alive-load.js'
export { benchPluginThroughput, compareThroughput, median, type ThroughputOptions, type ThroughputResult, type ThroughputRun, type Variant } from './throughput.js'
export { startProbeLoop, type ProbeLoopResult } from './probe-loop.js'
