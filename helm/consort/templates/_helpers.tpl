{{/* Chart name, truncated to the 63 characters a label value allows. */}}
{{- define "consort.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Prefix of every object name: the release name, with the chart name unless it is in it. */}}
{{- define "consort.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Labels on every object. */}}
{{- define "consort.labels" -}}
app.kubernetes.io/name: {{ include "consort.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: consort
{{- if not .Values.plainManifests }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{/* Selector labels of the release. */}}
{{- define "consort.selectorLabels" -}}
app.kubernetes.io/name: {{ include "consort.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Selector labels of one service. Call with (dict "root" $ "service" "partner").
*/}}
{{- define "consort.serviceSelectorLabels" -}}
{{ include "consort.selectorLabels" .root }}
app.kubernetes.io/component: {{ .service }}
{{- end }}

{{/* Object name of one service, for example "consort-partner". */}}
{{- define "consort.serviceName" -}}
{{- printf "%s-%s" (include "consort.fullname" .root) .service | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The gRPC services each binary calls, as read from its CONSORT_*_ADDRESS variables. The
NetworkPolicies and the address settings are built from this table.
*/}}
{{- define "consort.dependencies" -}}
partner: [contract]
contract: [partner]
communication: [partner]
performance: [contract]
incentive: [contract]
{{- end }}

{{/* Fully qualified gRPC service name that readiness probes ask the health service about. */}}
{{- define "consort.grpcServiceName" -}}
{{- $names := dict "partner" "consort.partner.v1.PartnerService" "contract" "consort.contract.v1.ContractService" "communication" "consort.communication.v1.CommunicationService" "performance" "consort.performance.v1.PerformanceService" "incentive" "consort.incentive.v1.IncentiveService" }}
{{- get $names . }}
{{- end }}

{{/* The image reference, with the tag defaulting to the chart's appVersion. */}}
{{- define "consort.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* Name of the service account the service pods run as. */}}
{{- define "consort.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "consort.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Name of the Secret that holds the Redis password, empty when there is none. */}}
{{- define "consort.redisSecretName" -}}
{{- if .Values.redis.existingSecret }}
{{- .Values.redis.existingSecret }}
{{- else if .Values.redis.password }}
{{- printf "%s-redis" (include "consort.fullname" .) }}
{{- end }}
{{- end }}

{{/*
Whether a service needs a PodDisruptionBudget and a topology spread: it runs, or may be scaled
to, more than one replica. Returns "true" or "".
*/}}
{{- define "consort.multiReplica" -}}
{{- $svc := .svc }}
{{- if or (gt (int $svc.replicas) 1) (and $svc.autoscaling.enabled (gt (int $svc.autoscaling.maxReplicas) 1)) }}true{{ end }}
{{- end }}

{{/*
Fails the render when a consumer service asks for more replicas than the partitions it can be
assigned: Kafka gives each partition to one member of a consumer group, so the extra replicas
would sit idle while still holding resources.
*/}}
{{- define "consort.checkConsumerReplicas" -}}
{{- $topics := .Values.kafka.topics }}
{{- $limits := dict "performance" (min (int $topics.sales.partitions) (int $topics.feedback.partitions)) "incentive" (int $topics.sales.partitions) }}
{{- range $name, $limit := $limits }}
{{- $svc := index $.Values.services $name }}
{{- if gt (int $svc.replicas) (int $limit) }}
{{- fail (printf "services.%s.replicas is %d but the %s consumer group can use at most %d replicas (one per partition of the topics it reads); raise kafka.topics partitions or lower the replicas" $name (int $svc.replicas) $name (int $limit)) }}
{{- end }}
{{- if and $svc.autoscaling.enabled (gt (int $svc.autoscaling.maxReplicas) (int $limit)) }}
{{- fail (printf "services.%s.autoscaling.maxReplicas is %d but the %s consumer group can use at most %d replicas (one per partition of the topics it reads); raise kafka.topics partitions or lower maxReplicas" $name (int $svc.autoscaling.maxReplicas) $name (int $limit)) }}
{{- end }}
{{- end }}
{{- end }}
