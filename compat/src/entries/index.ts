import type { Entry } from '../entry.js'
import { autoload } from './autoload.js'
import { compress } from './compress.js'
import { cors } from './cors.js'
import { helmet } from './helmet.js'
import { rateLimit } from './rate-limit.js'
import { sensible } from './sensible.js'
import { statics } from './static.js'
import { swagger } from './swagger.js'
import { websocket } from './websocket.js'

/** The ecosystem plugins the matrix combines with the three zerodown plugins. */
export const ENTRIES: readonly Entry[] = [websocket, statics, autoload, cors, helmet, rateLimit, compress, sensible, swagger]

export function entryNamed (name: string): Entry {
  const entry = ENTRIES.find((e) => e.name === name)
  if (entry === undefined) throw new Error(`no entry named ${name}; expected one of ${ENTRIES.map((e) => e.name).join(', ')}`)
  return entry
}
