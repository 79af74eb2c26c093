import type { FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'
import { claimRoute } from '@zerodown/contract'
import { VersionPathTakenError } from './errors.js'
import { addVersionHeader } from './header.js'
import { resolveOptions, type VersionInfo, type VersionOptions } from './options.js'

export type { HeaderOn, VersionInfo, VersionOptions } from './options.js'
export { ENV } from './options.js'
export type { BuildInfo } from './build-info.js'
export { VersionBuildInfoError, VersionInvalidEnvError, VersionInvalidOptionError, VersionPathTakenError, VersionUnsafeValueError } from './errors.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Which build this instance runs: frozen, resolved once at registration. */
    readonly versionInfo: VersionInfo
  }
}

const versionInfoSchema = {
  type: 'object',
  required: ['name', 'version', 'commit', 'buildTime', 'node', 'fastify', 'startedAt', 'instance'],
  properties: {
    name: { type: 'string' },
    version: { type: 'string' },
    commit: { type: 'string' },
    buildTime: { type: 'string' },
    node: { type: 'string' },
    fastify: { type: 'string' },
    startedAt: { type: 'string', format: 'date-time' },
    instance: { type: 'string' }
  }
} as const

const plugin: FastifyPluginAsync<VersionOptions> = async (app, opts) => {
  const { path, header, headerOn, info, facts } = resolveOptions(opts, app.version)
  const line = (Object.keys(facts) as Array<keyof typeof facts>).map((k) => `${k} ${facts[k].value} (${facts[k].source})`).join(', ')
  app.log.info({ zerodown: 'version', settings: facts }, `version: ${line}`)

  app.decorate('versionInfo', { getter: () => info })

  if (header !== false) addVersionHeader(app, header, info.version, headerOn)

  if (path !== false) {
    claimRoute(app, path, () => new VersionPathTakenError(path), () => app.get(path, { schema: { response: { 200: versionInfoSchema } } }, async () => info))
  }
}

export const zerodownVersion = fp(plugin, { fastify: '5.x', name: '@zerodown/version' })
export default zerodownVersion
