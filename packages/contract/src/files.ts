// Reading a file a user names (a values file, a load file, a manifest) without trusting it: only a
// regular file or a pipe (`-f <(sops -d values.yaml)`), never a device or a folder, and never more
// than a limit, so `/dev/zero` or a 6 GB file is a clear refusal instead of a hang.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs'

/** The largest values file, load file or manifest the tools read: far above any real one, far below what hurts. */
export const MAX_INPUT_FILE_BYTES = 4 * 1024 * 1024

/** Why a named file cannot be read; the callers wrap it in their own coded error with the file's name. */
export class InputFileError extends Error {
  override name = 'InputFileError'
}

// Sockets cannot be opened at all (ENXIO), so what is left is a folder or a device.
const kindOf = (stats: ReturnType<typeof fstatSync>): string => stats.isDirectory() ? 'a folder' : 'a device'

const MiB = 1024 * 1024
const size = (bytes: number): string => bytes % MiB === 0 ? `${bytes / MiB} MiB (${bytes} bytes)` : `${bytes} bytes`

/**
 * The text of `file` (UTF-8). Throws an InputFileError that says why when it cannot be opened, is not a
 * regular file or a pipe, or holds more than `maxBytes`.
 */
export function readInputFile (file: string, maxBytes = MAX_INPUT_FILE_BYTES): string {
  let fd: number
  try {
    fd = openSync(file, 'r')
  } catch (err) {
    // open() fails only with a system error, which always has a code.
    throw new InputFileError(`cannot read it (${String((err as NodeJS.ErrnoException).code)})`)
  }
  try {
    const stats = fstatSync(fd)
    if (!stats.isFile() && !stats.isFIFO()) throw new InputFileError(`it is ${kindOf(stats)}; give a regular file`)
    if (stats.size > maxBytes) throw new InputFileError(`it is ${stats.size} bytes, over the limit of ${size(maxBytes)}`)
    // Read to the end, one byte past the limit at most: a pipe has no size to check first.
    const buffer = Buffer.alloc(Math.min(maxBytes + 1, Math.max(stats.size + 1, 64 * 1024)))
    const chunks: Buffer[] = []
    let total = 0
    for (;;) {
      const read = readSync(fd, buffer, 0, Math.min(buffer.length, maxBytes + 1 - total), null)
      if (read === 0) break
      chunks.push(Buffer.from(buffer.subarray(0, read)))
      total += read
      if (total > maxBytes) throw new InputFileError(`it holds more than the limit of ${size(maxBytes)}`)
    }
    return Buffer.concat(chunks, total).toString('utf8')
  } finally {
    closeSync(fd)
  }
}
