import type { FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'
import { resolveOptions, type VersionInfo, type VersionOptions } from './options.js'

export type { VersionInfo, VersionOptions } from './options.js'
export { ENV } from './options.js'
export type { BuildInfo } from './build-info.js'
export { VersionBuildInfoError, VersionInvalidEnvError, VersionInvalidOptionError, VersionUnsafeValueError } from './errors.js'

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
  const { path, header, info, facts } = resolveOptions(opts, app.version)
  const line = (Object.keys(facts) as Array<keyof typeof facts>).map((k) => `${k} ${facts[k].value} (${facts[k].source})`).join(', ')
  app.log.info({ zerodown: 'version', settings: facts }, `version: ${line}`)

  app.decorate('versionInfo', { getter: () => info })

  if (header !== false) {
    // onSend runs for every reply: routes in any context, 404s, and errors thrown by earlier hooks.
    // Per request this costs the header (about 1% of a hello-world request on Node.js 24, wherever it
    // is set) and Fastify's hook runner (about as much again): side by side against bare Fastify, the
    // header set in the handler served 0.990-0.993, a no-op onSend hook 0.989, this plugin 0.961-0.990.
    // A server 'request' listener calling res.setHeader() would push every writeHead() onto Node's
    // slow merge path, and app.inject() would lose the header: 0.956 of this hook's throughput.
    app.addHook('onSend', (_request, reply, payload, done) => {
      reply.header(header, info.version)
      done(null, payload)
    })
  }

  if (path !== false) {
    app.get(path, { schema: { response: { 200: versionInfoSchema } } }, async () => info)
  }
}

export const zerodownVersion = fp(plugin, { fastify: '5.x', name: '@zerodown/version' })
export default zerodownVersion
