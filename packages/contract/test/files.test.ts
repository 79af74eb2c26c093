// readInputFile on real files, a folder, a device and a real pipe: bounded, and every refusal says why.
import { spawn, spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'tap'
import { MAX_INPUT_FILE_BYTES, readInputFile } from '../src/index.js'

test('a regular file is read whole, up to the limit and not one byte past it', async (t) => {
  const dir = t.testdir({ 'small.yaml': 'a: é\n' })
  t.equal(readInputFile(join(dir, 'small.yaml')), 'a: é\n')
  writeFileSync(join(dir, 'at.txt'), Buffer.alloc(100, 'x'))
  t.equal(readInputFile(join(dir, 'at.txt'), 100).length, 100)
  writeFileSync(join(dir, 'past.txt'), Buffer.alloc(101, 'x'))
  t.throws(() => readInputFile(join(dir, 'past.txt'), 100), { name: 'InputFileError', message: 'it is 101 bytes, over the limit of 100 bytes' })
  writeFileSync(join(dir, 'big.txt'), Buffer.alloc(MAX_INPUT_FILE_BYTES + 1, 'x'))
  t.throws(() => readInputFile(join(dir, 'big.txt')), { message: /^it is 4194305 bytes, over the limit of 4 MiB \(4194304 bytes\)$/ })
})

test('a missing file, a folder and a device are refused by name of what they are', async (t) => {
  const dir = t.testdir({ sub: {} })
  t.throws(() => readInputFile(join(dir, 'missing.yaml')), { message: 'cannot read it (ENOENT)' })
  t.throws(() => readInputFile(join(dir, 'sub')), { message: 'it is a folder; give a regular file' })
  t.throws(() => readInputFile('/dev/zero'), { message: 'it is a device; give a regular file' })
})

test('a pipe (process substitution) is read to its end, and one that never ends stops at the limit', async (t) => {
  const dir = t.testdir({})
  const fifo = join(dir, 'values.fifo')
  t.equal(spawnSync('mkfifo', [fifo]).status, 0, 'mkfifo')
  // A real writer process, as `-f <(sops -d values.yaml)` has.
  const writer = spawn('sh', ['-c', `printf 'replicas: 4\\n' > "${fifo}"`])
  t.equal(readInputFile(fifo), 'replicas: 4\n')
  await new Promise((resolve) => writer.on('close', resolve))
  const endless = spawn('sh', ['-c', `cat /dev/zero > "${fifo}"`])
  t.teardown(() => { endless.kill('SIGKILL') })
  t.throws(() => readInputFile(fifo, 1024 * 1024), { message: 'it holds more than the limit of 1 MiB (1048576 bytes)' })
})
