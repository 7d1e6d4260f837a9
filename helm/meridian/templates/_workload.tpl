{{/*
What every Meridian pod and container runs with, whichever chart renders it (templates are shared between the umbrella
and its subcharts). The images run as uid and gid 10001 (src/main/docker/Dockerfile.*), never root; the root filesystem
is read-only, so the one place a Quarkus JVM and ONNX Runtime write to (java.io.tmpdir: Vert.x's file cache and body
uploads, the native libraries ONNX Runtime unpacks, the models service's upload assembly) is an emptyDir on /tmp.
fsGroup makes mounted volumes (the gateway's spool, a filesystem blob store) writable to the group, once, not at every
start.
*/}}
{{- define "meridian.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
fsGroupChangePolicy: OnRootMismatch
seccompProfile: {type: RuntimeDefault}
{{- end }}

{{- define "meridian.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
readOnlyRootFilesystem: true
allowPrivilegeEscalation: false
capabilities: {drop: [ALL]}
seccompProfile: {type: RuntimeDefault}
{{- end }}

{{/* The volume mounted on /tmp: call with its size limit (a chart's tmpSize). */}}
{{- define "meridian.tmpVolume" -}}
- name: tmp
  emptyDir: {sizeLimit: {{ . }}}
{{- end }}

{{/*
A PodDisruptionBudget for a service that may run more than one pod: at most maxUnavailable of them evicted at once by
a drain or a cluster upgrade. Call with (dict "root" $ "service" name "scaled" bool), scaled being whether more than
one replica can run (replicas above one, or an autoscaler).
*/}}
{{- define "meridian.podDisruptionBudget" -}}
{{- $pdb := .root.Values.podDisruptionBudget -}}
{{- if and $pdb.enabled .scaled }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ .root.Release.Name }}-{{ .service }}
  labels: {app.kubernetes.io/name: {{ .service }}, app.kubernetes.io/instance: {{ .root.Release.Name }}}
spec:
  maxUnavailable: {{ $pdb.maxUnavailable }}
  selector:
    matchLabels: {app.kubernetes.io/name: {{ .service }}, app.kubernetes.io/instance: {{ .root.Release.Name }}}
{{- end }}
{{- end }}

{{/*
The one NetworkPolicy that lets callers reach a service's HTTP port; everything else is refused by the release's
default deny (templates/network-policies.yaml). Call with (dict "root" $ "service" name "port" port "from" peers),
peers being a list of NetworkPolicyPeers.
*/}}
{{- define "meridian.allowIngress" -}}
{{- if .root.Values.global.networkPolicy.enabled }}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ .root.Release.Name }}-{{ .service }}
  labels: {app.kubernetes.io/name: {{ .service }}, app.kubernetes.io/instance: {{ .root.Release.Name }}}
spec:
  podSelector:
    matchLabels: {app.kubernetes.io/name: {{ .service }}, app.kubernetes.io/instance: {{ .root.Release.Name }}}
  policyTypes: [Ingress]
  ingress:
    - ports: [{port: {{ .port }}, protocol: TCP}]
      from: {{- toYaml (required (printf "%s: a NetworkPolicy needs at least one peer" .service) .from) | nindent 8 }}
{{- end }}
{{- end }}

{{/* A peer: the pods of one service of this release. Call with (dict "root" $ "service" name); gives a dict. */}}
{{- define "meridian.releasePeer" -}}
podSelector:
  matchLabels: {app.kubernetes.io/name: {{ .service }}, app.kubernetes.io/instance: {{ .root.Release.Name }}}
{{- end }}

{{/*
A HorizontalPodAutoscaler on CPU for a service's workload, with autoscaling.* of its chart; call with
(dict "root" $ "service" name "kind" workloadKind). minReplicas defaults to the chart's replicas.
*/}}
{{- define "meridian.cpuAutoscaler" -}}
{{- $a := .root.Values.autoscaling -}}
{{- if $a.enabled }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ .root.Release.Name }}-{{ .service }}
  labels: {app.kubernetes.io/name: {{ .service }}, app.kubernetes.io/instance: {{ .root.Release.Name }}}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: {{ .kind }}, name: {{ .root.Release.Name }}-{{ .service }}}
  minReplicas: {{ $a.minReplicas | default .root.Values.replicas }}
  maxReplicas: {{ $a.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target: {type: Utilization, averageUtilization: {{ $a.targetCPUUtilizationPercentage }}}
{{- end }}
{{- end }}

{{/*
A TLS Ingress for a service's Service (its port named http), with ingress.* of its chart: call with
(dict "root" $ "service" name).
*/}}
{{- define "meridian.ingress" -}}
{{- $ing := .root.Values.ingress -}}
{{- if $ing.enabled }}
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {{ .root.Release.Name }}-{{ .service }}
  labels: {app.kubernetes.io/name: {{ .service }}, app.kubernetes.io/instance: {{ .root.Release.Name }}}
  {{- with $ing.annotations }}
  annotations: {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  ingressClassName: {{ required "global.ingress.className is required" (default .root.Values.global.ingress.className $ing.className) }}
  tls:
    - hosts: [{{ required (printf "%s.ingress.host is required (or %s.ingress.enabled=false)" .service .service) $ing.host | quote }}]
      secretName: {{ required (printf "%s.ingress.tlsSecretName is required" .service) $ing.tlsSecretName }}
  rules:
    - host: {{ $ing.host | quote }}
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service: {name: {{ .root.Release.Name }}-{{ .service }}, port: {name: http}}
{{- end }}
{{- end }}

{{/*
Logs and traces, the same in every Meridian container (docs/operations.md, "Logs" and "Traces"): JSON lines whose
"mdc" carries requestId, tenantId and traceId; the W3C trace context always propagates, and the share of traces given
by global.tracing.sampleRatio (0: none) is recorded and sent over OTLP to global.tracing.otlpEndpoint (empty: the
exporter's default, http://localhost:4317, a collector on the node or beside the pod). Call with the root context.
*/}}
{{- define "meridian.observability.env" -}}
- {name: QUARKUS_LOG_CONSOLE_JSON_ENABLED, value: "{{ .Values.global.logs.json }}"}
- {name: QUARKUS_OTEL_TRACES_SAMPLER_ARG, value: "{{ .Values.global.tracing.sampleRatio }}"}
{{- with .Values.global.tracing.otlpEndpoint }}
- {name: QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT, value: "{{ . }}"}
{{- end }}
{{- end }}
