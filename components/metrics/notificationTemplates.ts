import { DATASOURCE_UIDS } from "../common/grafanaUids";

/** The templates every receiver that takes text uses; alertmanager.yml refers to them by name. */
export const TEMPLATE = {
  title: "observability.title",
  text: "observability.text",
  grafanaUrl: "observability.grafana.url",
  silenceUrl: "observability.silence.url",
  runbookUrl: "observability.runbook.url",
} as const;

/** `{{ template "<name>" . }}`: how a receiver field asks for one of the templates. */
export const useTemplate = (name: string): string => `{{ template "${name}" . }}`;

/**
 * Grafana Explore on `ALERTS{alertname="…"}` over the last hour, for one alert (`$grafana` and the
 * alert in scope). The pane is JSON in the URL; `%q` quotes the way JSON does for label values.
 */
const exploreLink = (alertname: string): string =>
  `{{ $grafana }}/explore?schemaVersion=1&orgId=1&panes=` +
  `{{ printf "{\\"a\\":{\\"datasource\\":\\"${DATASOURCE_UIDS.prometheus}\\",\\"queries\\":[{\\"refId\\":\\"A\\",\\"expr\\":%q}],\\"range\\":{\\"from\\":\\"now-1h\\",\\"to\\":\\"now\\"}}}" ` +
  `(printf "ALERTS{alertname=%q}" ${alertname}) | urlquery }}`;

/**
 * Alertmanager's notification templates (Go text/template), one file mounted beside
 * alertmanager.yml. Every message names the alert and links to the runbook (the rules'
 * `runbook_url`), to Grafana Explore on the alert's series when there is a Grafana, to the rule in
 * Prometheus (`generatorURL`, which opens with Prometheus' external URL) and to a pre-filled silence
 * (`.ExternalURL`, Alertmanager's external URL).
 */
export function notificationTemplates(grafanaUrl: string | undefined): string {
  const grafana = grafanaUrl === undefined ? "" : `{{ $grafana := "${grafanaUrl}" }}`;
  return [
    `{{ define "${TEMPLATE.grafanaUrl}" }}${grafanaUrl ?? ""}{{ end }}`,
    "",
    `{{ define "${TEMPLATE.title}" -}}`,
    `[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] ` +
      `{{ .CommonLabels.alertname }}{{ with .CommonLabels.service }} ({{ . }}){{ end }}`,
    "{{- end }}",
    "",
    // A silence matching every label the group's alerts share.
    `{{ define "${TEMPLATE.silenceUrl}" -}}`,
    "{{ .ExternalURL }}/#/silences/new?filter=%7B" +
      "{{ range $i, $l := .CommonLabels.SortedPairs }}{{ if $i }}%2C{{ end }}{{ $l.Name }}%3D%22{{ $l.Value | urlquery }}%22{{ end }}" +
      "%7D",
    "{{- end }}",
    "",
    // Alerts without a runbook (rules a team added without one) link to their series instead.
    `{{ define "${TEMPLATE.runbookUrl}" -}}`,
    grafana +
      `{{ with .CommonAnnotations.runbook_url }}{{ . }}{{ else }}${grafanaUrl === undefined ? "{{ (index .Alerts 0).GeneratorURL }}" : exploreLink(".CommonLabels.alertname")}{{ end }}`,
    "{{- end }}",
    "",
    `{{ define "${TEMPLATE.text}" -}}`,
    ...(grafanaUrl === undefined ? [] : [grafana]),
    "{{- range .Alerts }}",
    "*{{ .Labels.alertname }}*{{ with .Labels.service }} {{ . }}{{ end }}{{ with .Labels.namespace }} in {{ . }}{{ end }}: " +
      "{{ with .Annotations.summary }}{{ . }}{{ end }}",
    "{{ with .Annotations.description }}{{ . }}\n{{ end -}}",
    "{{ with .Annotations.runbook_url }}Runbook: {{ . }}\n{{ end -}}",
    ...(grafanaUrl === undefined ? [] : [`Grafana: ${exploreLink(".Labels.alertname")}`]),
    "Source: {{ .GeneratorURL }}",
    "",
    "{{ end -}}",
    `Silence: {{ template "${TEMPLATE.silenceUrl}" . }}`,
    "{{- end }}",
    "",
  ].join("\n");
}
