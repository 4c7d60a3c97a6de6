{{/* Chart name, truncated to 63 characters. */}}
{{- define "quotient.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified app name: the release name when it contains the chart name (so
`helm install quotient helm/quotient` names everything quotient-...), else release-chart.
*/}}
{{- define "quotient.fullname" -}}
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

{{- define "quotient.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every object. */}}
{{- define "quotient.labels" -}}
helm.sh/chart: {{ include "quotient.chart" . }}
{{ include "quotient.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: quotient
{{- end }}

{{/* Selector labels of the operator's pods. */}}
{{- define "quotient.selectorLabels" -}}
app.kubernetes.io/name: {{ include "quotient.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end }}

{{/* Name of the operator's objects: Deployment, ServiceAccount, ClusterRole, Role, bindings. */}}
{{- define "quotient.operatorName" -}}
{{- printf "%s-operator" (include "quotient.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "quotient.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "quotient.operatorName" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The user name the API server gives the operator: the pod ledger policy lets only it through. */}}
{{- define "quotient.operatorUser" -}}
{{- printf "system:serviceaccount:%s:%s" .Release.Namespace (include "quotient.serviceAccountName" .) }}
{{- end }}

{{- define "quotient.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
