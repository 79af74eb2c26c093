import Fastify from 'fastify'
import { expect } from 'tstyche'
import zerodownVersion, { type HeaderOn, type VersionInfo, type VersionOptions } from '../src/index.js'

const app = Fastify()
app.register(zerodownVersion, {
  name: 'shop',
  version: '1.2.3',
  commit: 'abc',
  buildTime: '2026-01-01T00:00:00.000Z',
  instance: 'pod-a',
  path: '/about/version',
  header: 'x-build',
  headerOn: 'all',
  buildInfoPath: 'dist/build-info.json',
  cwd: '/app',
  env: process.env
})
app.register(zerodownVersion, { path: false, header: false })

expect<VersionOptions>().type.not.toBeAssignableFrom({ path: true })
expect<VersionOptions>().type.not.toBeAssignableFrom({ version: 1 })
expect<VersionOptions>().type.not.toBeAssignableFrom({ headerOn: 'everything' })
expect<HeaderOn>().type.toBe<'routes' | 'all'>()

expect(app.versionInfo).type.toBe<VersionInfo>()
expect(app.versionInfo.version).type.toBe<string>()
expect(app.versionInfo).type.toHaveProperty('instance')
// @ts-expect-error Cannot assign to 'version' because it is a read-only property
app.versionInfo.version = '2.0.0'
