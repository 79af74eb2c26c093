// Drains of real processes, a third of the entries per file so that files run side by side: test/lib/drain.ts.
import { ENTRIES } from '../src/entries/index.js'
import { runDrainTests } from './lib/drain.js'

runDrainTests(ENTRIES.slice(0, 3))
