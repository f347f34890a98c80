{{/* Names, labels and the values every template shares. */}}

{{- define "todo.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "todo.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "todo.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "todo.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: todo-chatbot
{{- end -}}

{{/* Selector labels of one app: call with (dict "root" $ "app" "chat-api"). */}}
{{- define "todo.selectorLabels" -}}
app.kubernetes.io/name: {{ include "todo.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .app }}
{{- end -}}

{{/* The resource name of one app: <fullname>-<app-id>. */}}
{{- define "todo.appName" -}}
{{- printf "%s-%s" (include "todo.fullname" .root) .app | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "todo.image" -}}
{{- printf "%s/%s:%s" .root.Values.image.repository .app (default .root.Chart.AppVersion .root.Values.image.tag) -}}
{{- end -}}

{{- define "todo.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "todo.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The Secret holding AUTH_JWT_SECRET, DATABASE_URL and ACTOR_STATE_CONNECTION_STRING. */}}
{{- define "todo.secretName" -}}
{{- default (include "todo.fullname" .) .Values.secrets.existingSecret -}}
{{- end -}}
{{/*
The two token Secrets of one app (key `token`, as the dapr.io/*-token-secret annotations require):
call with (dict "root" $ "app" "chat-api"). Every app has its own pair.
*/}}
{{- define "todo.daprApiTokenSecretName" -}}
{{- $own := index (default dict (index .root.Values.secrets.existingTokenSecrets .app)) "daprApiToken" -}}
{{- default (printf "%s-dapr-api-token" (include "todo.appName" .)) $own -}}
{{- end -}}
{{- define "todo.appApiTokenSecretName" -}}
{{- $own := index (default dict (index .root.Values.secrets.existingTokenSecrets .app)) "appApiToken" -}}
{{- default (printf "%s-app-api-token" (include "todo.appName" .)) $own -}}
{{- end -}}

{{- define "todo.postgresqlName" -}}
{{- printf "%s-postgresql" (include "todo.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The apps' database URL, from values (external) or the in-cluster PostgreSQL. */}}
{{- define "todo.databaseUrl" -}}
{{- if .Values.postgresql.enabled -}}
{{- $pg := .Values.postgresql -}}
{{- printf "postgres://%s:%s@%s:5432/%s" $pg.username (required "postgresql.password is required when postgresql.enabled" $pg.password | urlquery) (include "todo.postgresqlName" .) $pg.database -}}
{{- else -}}
{{- required "database.url is required (or postgresql.enabled, or secrets.existingSecret)" .Values.database.url -}}
{{- end -}}
{{- end -}}

{{/*
The migration Job must run before the in-cluster PostgreSQL exists on a first install, which is
impossible: then it runs post-install (and still pre-upgrade) and the apps wait for it to be ready.
*/}}
{{- define "todo.migrationHook" -}}
{{- if .Values.postgresql.enabled -}}post-install,pre-upgrade{{- else -}}pre-install,pre-upgrade{{- end -}}
{{- end -}}

{{/* Container env shared by the apps and the migration Job: call with (dict "root" $ "app" "chat-api"). */}}
{{- define "todo.appEnv" -}}
{{- $root := .root -}}
{{- $cfg := index $root.Values.apps .app -}}
- name: PORT
  value: {{ $cfg.port | quote }}
- name: DAPR_HTTP_PORT
  value: {{ $root.Values.dapr.httpPort | quote }}
- name: DAPR_API_TOKEN
  valueFrom:
    secretKeyRef: { name: {{ include "todo.daprApiTokenSecretName" . }}, key: token }
- name: APP_API_TOKEN
  valueFrom:
    secretKeyRef: { name: {{ include "todo.appApiTokenSecretName" . }}, key: token }
{{- if ne .app "task-reminder" }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef: { name: {{ include "todo.secretName" $root }}, key: DATABASE_URL }
- name: AUTH_JWT_SECRET
  valueFrom:
    secretKeyRef: { name: {{ include "todo.secretName" $root }}, key: AUTH_JWT_SECRET }
{{- end }}
{{- range $k, $v := $cfg.env }}
- name: {{ $k }}
  value: {{ $v | quote }}
{{- end }}
{{- end -}}

{{/* The keys of the apps' Secret (used by the Secret and by the migration hook's own copy). */}}
{{- define "todo.appSecretData" -}}
AUTH_JWT_SECRET: {{ required "secrets.authJwtSecret is required (or secrets.existingSecret)" .Values.secrets.authJwtSecret | quote }}
DATABASE_URL: {{ include "todo.databaseUrl" . | quote }}
ACTOR_STATE_CONNECTION_STRING: {{ default (include "todo.databaseUrl" .) .Values.database.actorStateUrl | quote }}
{{- end -}}


{{- /*
GOMEMLIMIT for a daprd: 90% of its container's memory limit (a quantity in Mi or Gi), so Go's
collector works harder near the limit instead of the kernel killing the sidecar; empty for a
limit in another unit.
*/ -}}
{{- define "todo.goMemLimit" -}}
{{- $limit := toString . -}}
{{- if regexMatch "^[0-9]+Mi$" $limit -}}
{{- div (mul (trimSuffix "Mi" $limit | atoi) 9) 10 }}MiB
{{- else if regexMatch "^[0-9]+Gi$" $limit -}}
{{- div (mul (trimSuffix "Gi" $limit | atoi) 9216) 10 }}MiB
{{- end -}}
{{- end -}}
