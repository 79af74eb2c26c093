// The help text, made from the flag table.
import { CALLER_ENV } from '../kubelet/pod-env.js'
import { FLAGS, SECTIONS, type Flag } from './flags.js'

const COLUMN = 29

function flagLines (f: Flag): string[] {
  const name = `${f.short !== undefined ? `-${f.short}, ` : ''}--${f.name}${f.value !== undefined ? ` ${f.value}` : ''}`
  const first = `  ${name}`
  const [head = '', ...rest] = f.help
  // A name longer than the column keeps one space before its help, as a name that fits has more.
  return [`${first.padEnd(COLUMN)}${first.length >= COLUMN ? ' ' : ''}${head}`, ...rest.map((line) => ' '.repeat(COLUMN) + line)]
}

export const USAGE = [
  'Usage: zerodown-rehearse [options] -- command to start one pod...',
  '       zerodown-rehearse --values values.yaml --load load.yaml -- node dist/server.js',
  '       zerodown-rehearse --values values.yaml --old-image app:1.0.0 --new-image app:2.0.0',
  '',
  'Rehearses a Kubernetes rolling update on this machine: real processes of the app, real signals,',
  'keep-alive load through a local Service, every request counted. Exit 0 only when the rollout',
  'completed, no request failed and every pod that had to go exited cleanly; 1 when it failed or got',
  'stuck; 2 on bad input; 130 when interrupted.',
  '',
  ...SECTIONS.flatMap((section) => [section, ...FLAGS.filter((f) => f.section === section).flatMap(flagLines)]),
  '',
  'The command is required ("node" means the running Node.js). Each pod gets the environment a kubelet',
  'gives: the manifest\'s env and envFrom, KUBERNETES_SERVICE_HOST=127.0.0.1, KUBERNETES_SERVICE_PORT=443,',
  `HOSTNAME (the pod name); of yours only ${CALLER_ENV.join(', ')}, LC_* and --pass-env; then`,
  '--env, the version, PORT (a free loopback port) and HOST=127.0.0.1.',
  ''
].join('\n')
