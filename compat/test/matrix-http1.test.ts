// The matrix over http1: see test/lib/matrix.ts.
import { runMatrix } from './lib/matrix.js'

runMatrix('http1')
