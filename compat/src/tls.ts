import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface Tls {
  key: Buffer
  cert: Buffer
}

let made: Tls | undefined

/**
 * A self-signed certificate for 127.0.0.1, made by openssl at test time (nothing from the
 * network, no key checked in), once per process. Clients trust it as their only CA.
 */
export function selfSignedCert (): Tls {
  if (made !== undefined) return made
  const dir = mkdtempSync(join(tmpdir(), 'zerodown-compat-tls-'))
  try {
    const key = join(dir, 'key.pem')
    const cert = join(dir, 'cert.pem')
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
      '-keyout', key, '-out', cert, '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'
    ], { stdio: 'pipe' })
    made = { key: readFileSync(key), cert: readFileSync(cert) }
    return made
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
