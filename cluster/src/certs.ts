// The cluster's certificates, made with openssl for each cluster and valid for two days: a CA, the
// API server's serving certificate, one client certificate per component (its user and group are
// what RBAC and the Node authorizer see), and the service-account signing key.
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { run } from './run.js'

export interface Identity {
  /** The user (CN). */
  user: string
  /** The group (O), if any. */
  group?: string
}

export interface ClientCert { cert: string, key: string }

/** Each component's identity, as kubeadm names them. */
export const IDENTITIES = {
  admin: { user: 'kubernetes-admin', group: 'system:masters' },
  controllerManager: { user: 'system:kube-controller-manager' },
  scheduler: { user: 'system:kube-scheduler' },
  proxy: { user: 'system:kube-proxy' },
  apiserverKubeletClient: { user: 'kube-apiserver-kubelet-client', group: 'system:masters' }
} satisfies Record<string, Identity>

export interface Certificates {
  ca: ClientCert
  apiserver: ClientCert
  serviceAccount: { key: string, pub: string }
  client: (identity: Identity) => Promise<ClientCert>
}

const DAYS = '2'
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']

export async function makeCertificates (dir: string, serverNames: { ips: string[], dns: string[] }): Promise<Certificates> {
  const ca = { cert: join(dir, 'ca.crt'), key: join(dir, 'ca.key') }
  await run(['openssl', 'req', '-x509', ...EC, '-keyout', ca.key, '-out', ca.cert, '-days', DAYS, '-subj', '/CN=zerodown-cluster-ca'])

  const sign = async (name: string, subject: string, extensions: string): Promise<ClientCert> => {
    const out = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) }
    const csr = join(dir, `${name}.csr`)
    const ext = join(dir, `${name}.ext`)
    await writeFile(ext, extensions)
    await run(['openssl', 'req', '-new', ...EC, '-keyout', out.key, '-out', csr, '-subj', subject])
    await run(['openssl', 'x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-days', DAYS, '-out', out.cert, '-extfile', ext])
    return out
  }

  const san = [...serverNames.ips.map((ip) => `IP:${ip}`), ...serverNames.dns.map((name) => `DNS:${name}`)].join(',')
  const apiserver = await sign('apiserver', '/CN=kube-apiserver', `subjectAltName=${san}\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature\n`)

  const serviceAccount = { key: join(dir, 'sa.key'), pub: join(dir, 'sa.pub') }
  await run(['openssl', 'genrsa', '-out', serviceAccount.key, '2048'])
  await run(['openssl', 'rsa', '-in', serviceAccount.key, '-pubout', '-out', serviceAccount.pub])

  const client = async (identity: Identity): Promise<ClientCert> => {
    const file = identity.user.replace(/[^a-z0-9-]/gi, '-')
    const subject = `${identity.group !== undefined ? `/O=${identity.group}` : ''}/CN=${identity.user}`
    return await sign(file, subject, 'extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature\n')
  }
  return { ca, apiserver, serviceAccount, client }
}
