import neostandard from 'neostandard'

// Fastify's own style: standard, with TypeScript support.
export default [
  ...neostandard({ ts: true, ignores: ['**/dist/**', '**/coverage/**', '**/.tap/**', '**/tap-snapshots/**'] }),
]
