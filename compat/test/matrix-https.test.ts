// The matrix over https: see test/lib/matrix.ts.
import { runMatrix } from './lib/matrix.js'

runMatrix('https')
