// The matrix over http2: see test/lib/matrix.ts.
import { runMatrix } from './lib/matrix.js'

runMatrix('http2')
