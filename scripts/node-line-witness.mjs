// Preloaded into every Node.js process of a scripts/test-node-lines.sh run (through NODE_OPTIONS):
// it records which Node.js ran which file, so the script can prove the suites ran on the line it
// installed, not on whatever `node` tap or a test happened to find.
import { appendFileSync } from 'node:fs'

const witness = process.env.ZERODOWN_NODE_WITNESS
if (witness) appendFileSync(witness, `${process.version}\t${process.argv[1] ?? '-'}\n`)
