{{/*
A service's Kafka principal: {{ .Release.Name }}-kafka-<service>, one per service and release (so a regional release's
principals reach only their region's topics), with the ACLs of files/kafka-principals.json. Its password is in the
Secret of the same name (key: password): Strimzi's User Operator makes it for the KafkaUser this chart renders when
global.kafka.strimziCluster is set; on any other cluster, create the users, their ACLs and these Secrets yourself.
*/}}
{{- define "meridian.kafka.principal" -}}
{{ .root.Release.Name }}-kafka-{{ .service }}
{{- end }}

{{/*
The environment a Quarkus service needs to reach Kafka as its own principal. Call with (dict "root" $ "service" name).
*/}}
{{- define "meridian.kafka.env" -}}
{{- $k := .root.Values.global.kafka -}}
{{- $principal := include "meridian.kafka.principal" . -}}
- {name: KAFKA_BOOTSTRAP_SERVERS, value: "{{ .root.Values.global.kafkaBootstrap }}"}
- {name: KAFKA_SECURITY_PROTOCOL, value: "{{ $k.securityProtocol }}"}
- {name: MERIDIAN_KAFKA_USERNAME, value: "{{ $principal }}"}
- name: MERIDIAN_KAFKA_PASSWORD
  valueFrom: {secretKeyRef: {name: {{ $principal }}, key: password}}
{{- with $k.caSecretName }}
- {name: KAFKA_SSL_TRUSTSTORE_TYPE, value: PEM}
- name: KAFKA_SSL_TRUSTSTORE_CERTIFICATES
  valueFrom: {secretKeyRef: {name: {{ . }}, key: ca.crt}}
{{- end }}
{{- end }}

{{/* The same for the worker, which is not a Quarkus application and reads MERIDIAN_WORKER_* settings. */}}
{{- define "meridian.kafka.workerEnv" -}}
{{- $k := .root.Values.global.kafka -}}
{{- $principal := include "meridian.kafka.principal" . -}}
- {name: MERIDIAN_WORKER_KAFKA_BOOTSTRAP, value: "{{ .root.Values.global.kafkaBootstrap }}"}
- {name: MERIDIAN_WORKER_KAFKA_SECURITY_PROTOCOL, value: "{{ $k.securityProtocol }}"}
- {name: MERIDIAN_WORKER_KAFKA_USERNAME, value: "{{ $principal }}"}
- name: MERIDIAN_WORKER_KAFKA_PASSWORD
  valueFrom: {secretKeyRef: {name: {{ $principal }}, key: password}}
{{- with $k.caSecretName }}
- name: MERIDIAN_WORKER_KAFKA_TRUSTSTORE_CERTIFICATES
  valueFrom: {secretKeyRef: {name: {{ . }}, key: ca.crt}}
{{- end }}
{{- end }}
