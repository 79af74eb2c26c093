// The matrix over inject: see test/lib/matrix.ts.
import { runMatrix } from './lib/matrix.js'

runMatrix('inject')
