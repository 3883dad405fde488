{{- define "meridian.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "meridian.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "meridian.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "meridian.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Environment shared by every Meridian container: config from the ConfigMap, connection strings and keys from Secrets. */}}
{{- define "meridian.env" -}}
- name: NODE_ENV
  value: production
- name: DATABASE_URL
  valueFrom: { secretKeyRef: { name: {{ .Values.externalDatabase.existingSecret }}, key: DATABASE_URL } }
- name: APP_DATABASE_URL
  valueFrom: { secretKeyRef: { name: {{ .Values.externalDatabase.existingSecret }}, key: APP_DATABASE_URL } }
- name: REDIS_URL
  valueFrom: { secretKeyRef: { name: {{ .Values.redis.existingSecret }}, key: REDIS_URL } }
- name: JWT_SECRET
  valueFrom: { secretKeyRef: { name: {{ .Values.secrets.existingSecret }}, key: JWT_SECRET } }
- name: KEY_ENCRYPTION_KEY
  valueFrom: { secretKeyRef: { name: {{ .Values.secrets.existingSecret }}, key: KEY_ENCRYPTION_KEY } }
- name: METRICS_TOKEN
  valueFrom: { secretKeyRef: { name: {{ .Values.secrets.existingSecret }}, key: METRICS_TOKEN, optional: true } }
{{- end -}}

{{/* Where agents connect (host:port): config.agentPublicEndpoint, else the gRPC ingress (TLS, 443); empty lets the app derive it. */}}
{{- define "meridian.agentPublicEndpoint" -}}
{{- if .Values.config.agentPublicEndpoint -}}
{{ .Values.config.agentPublicEndpoint }}
{{- else if and .Values.ingress.enabled .Values.ingress.grpc.enabled -}}
{{ printf "%s:443" .Values.ingress.grpc.host }}
{{- end -}}
{{- end -}}
