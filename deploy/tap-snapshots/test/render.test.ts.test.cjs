/* IMPORTANT
 * This snapshot file is auto-generated, but designed for humans.
 * It should be checked into source control and tracked carefully.
 * Re-generate by setting TAP_SNAPSHOT=1 and running tests.
 * Make sure to inspect the output below.  Do not ignore changes!
 */
'use strict'
exports[`test/render.test.ts > TAP > the default render, reviewed as a snapshot > default values, release "zerodown" 1`] = `
# Rendered by zerodown-deploy from the zerodown chart. Do not edit: change the values and render again.
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: zerodown
  labels:
    app.kubernetes.io/name: zerodown
    app.kubernetes.io/instance: zerodown
    app.kubernetes.io/version: 0.1.0
    app.kubernetes.io/component: server
    app.kubernetes.io/part-of: zerodown
    app.kubernetes.io/managed-by: zerodown-deploy
automountServiceAccountToken: false
---
apiVersion: v1
kind: Service
metadata:
  name: zerodown
  labels:
    app.kubernetes.io/name: zerodown
    app.kubernetes.io/instance: zerodown
    app.kubernetes.io/version: 0.1.0
    app.kubernetes.io/component: server
    app.kubernetes.io/part-of: zerodown
    app.kubernetes.io/managed-by: zerodown-deploy
spec:
  type: ClusterIP
  selector:
    app.kubernetes.io/name: zerodown
    app.kubernetes.io/instance: zerodown
  ports:
    - name: http
      port: 80
      targetPort: http
      protocol: TCP
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: zerodown
  labels:
    app.kubernetes.io/name: zerodown
    app.kubernetes.io/instance: zerodown
    app.kubernetes.io/version: 0.1.0
    app.kubernetes.io/component: server
    app.kubernetes.io/part-of: zerodown
    app.kubernetes.io/managed-by: zerodown-deploy
  annotations:
    zerodown.dev/propagation-seconds: "5"
spec:
  replicas: 3
  revisionHistoryLimit: 5
  minReadySeconds: 5
  progressDeadlineSeconds: 600
  selector:
    matchLabels:
      app.kubernetes.io/name: zerodown
      app.kubernetes.io/instance: zerodown
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 0
  template:
    metadata:
      labels:
        app.kubernetes.io/name: zerodown
        app.kubernetes.io/instance: zerodown
        app.kubernetes.io/version: 0.1.0
        app.kubernetes.io/component: server
        app.kubernetes.io/part-of: zerodown
        app.kubernetes.io/managed-by: zerodown-deploy
    spec:
      serviceAccountName: zerodown
      automountServiceAccountToken: false
      enableServiceLinks: false
      terminationGracePeriodSeconds: 30
      securityContext:
        runAsNonRoot: true
        runAsUser: 1000
        runAsGroup: 1000
        fsGroup: 1000
        seccompProfile:
          type: RuntimeDefault
      containers:
        - name: app
          image: ghcr.io/zerodown/demo:0.1.0
          imagePullPolicy: IfNotPresent
          ports:
            - name: http
              containerPort: 8080
              protocol: TCP
          env:
            - name: ZERODOWN_APP_VERSION
              value: 0.1.0
            - name: PORT
              value: "8080"
            - name: ZERODOWN_DRAIN_DELAY_MS
              value: "5000"
            - name: ZERODOWN_SHUTDOWN_TIMEOUT_MS
              value: "20000"
            - name: ZERODOWN_PROBE_LIVENESS_PATH
              value: /livez
            - name: ZERODOWN_PROBE_READINESS_PATH
              value: /readyz
            - name: ZERODOWN_PROBE_STARTUP_PATH
              value: /startupz
            - name: ZERODOWN_PROBE_CHECK_TIMEOUT_MS
              value: "500"
          startupProbe:
            httpGet:
              path: /startupz
              port: http
            periodSeconds: 2
            timeoutSeconds: 1
            failureThreshold: 30
          readinessProbe:
            httpGet:
              path: /readyz
              port: http
            periodSeconds: 5
            timeoutSeconds: 1
            failureThreshold: 2
            successThreshold: 1
          livenessProbe:
            httpGet:
              path: /livez
              port: http
            periodSeconds: 10
            timeoutSeconds: 1
            failureThreshold: 3
          lifecycle:
            preStop:
              sleep:
                seconds: 5
          resources:
            requests:
              cpu: 100m
              memory: 128Mi
            limits:
              memory: 256Mi
          securityContext:
            runAsNonRoot: true
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop:
                - ALL
          volumeMounts:
            - name: tmp
              mountPath: /tmp
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: 64Mi
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: topology.kubernetes.io/zone
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
              app.kubernetes.io/name: zerodown
              app.kubernetes.io/instance: zerodown
          matchLabelKeys:
            - pod-template-hash
        - maxSkew: 1
          topologyKey: kubernetes.io/hostname
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
              app.kubernetes.io/name: zerodown
              app.kubernetes.io/instance: zerodown
          matchLabelKeys:
            - pod-template-hash
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: zerodown
  labels:
    app.kubernetes.io/name: zerodown
    app.kubernetes.io/instance: zerodown
    app.kubernetes.io/version: 0.1.0
    app.kubernetes.io/component: server
    app.kubernetes.io/part-of: zerodown
    app.kubernetes.io/managed-by: zerodown-deploy
spec:
  maxUnavailable: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: zerodown
      app.kubernetes.io/instance: zerodown

`
