// Shared by the rehearsal's tests: manifests with small timings, and an orphan check.
import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const FIXTURE = fileURLToPath(new URL('./fixtures/app.mjs', import.meta.url))
export const BASELINE = fileURLToPath(new URL('../dist/baseline.js', import.meta.url))

export interface ManifestTimings {
  replicas?: number
  maxSurge?: number | string
  maxUnavailable?: number | string
  progressDeadlineSeconds?: number
  preStop?: number
  grace?: number
  env?: Record<string, string>
  readiness?: string
  liveness?: string
  startup?: string
}

/** A Service and a Deployment with probes every 100 ms, as `zerodown-deploy render` would print them. */
export function manifest (t: ManifestTimings = {}): string {
  const env = Object.entries(t.env ?? {}).map(([name, value]) => `            - { name: ${name}, value: ${JSON.stringify(value)} }`).join('\n')
  return `apiVersion: v1
kind: Service
metadata: { name: fx }
spec: { ports: [{ port: 80, targetPort: http }] }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: fx }
spec:
  replicas: ${t.replicas ?? 3}
  minReadySeconds: 0.2
  progressDeadlineSeconds: ${t.progressDeadlineSeconds ?? 10}
  strategy:
    type: RollingUpdate
    rollingUpdate: { maxSurge: ${JSON.stringify(t.maxSurge ?? 1)}, maxUnavailable: ${JSON.stringify(t.maxUnavailable ?? 0)} }
  template:
    spec:
      terminationGracePeriodSeconds: ${t.grace ?? 5}
      containers:
        - name: app
          ports: [{ name: http, containerPort: 8080 }]
          env:
            - { name: LOG_LEVEL, value: warn }
${env}
          startupProbe: ${t.startup ?? '{ httpGet: { path: /startupz, port: http }, periodSeconds: 0.1, failureThreshold: 100 }'}
          readinessProbe: ${t.readiness ?? '{ httpGet: { path: /readyz, port: http }, periodSeconds: 0.1, failureThreshold: 1 }'}
          livenessProbe: ${t.liveness ?? '{ httpGet: { path: /livez, port: http }, periodSeconds: 0.5 }'}
          lifecycle: { preStop: { sleep: { seconds: ${t.preStop ?? 0.5} } } }
`
}

/** Pids written by fixtures into PID_DIR that are still alive. */
export function alivePids (dir: string): number[] {
  return readdirSync(dir).map(Number).filter((pid) => {
    try {
      process.kill(pid, 0)
      return true
    } catch {
      return false
    }
  })
}
