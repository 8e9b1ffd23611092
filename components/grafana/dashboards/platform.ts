import { StackConfig } from "../../../config";
import { DashboardSpec, loki, panel, prom } from "../dashboard/model";
import { UIDS } from "./services";

const RATE = "$__rate_interval";

/** Nodes and pods, from node-exporter, kube-state-metrics and the kubelet. */
export function infrastructure(): DashboardSpec {
  return {
    uid: UIDS.infrastructure,
    title: "Infrastructure",
    description: "Nodes, pods, restarts, pending pods and volume usage.",
    tags: ["observability", "infrastructure"],
    panels: [
      panel(
        "timeseries",
        "Node CPU",
        [prom(`1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[${RATE}]))`, "{{instance}}")],
        {
          unit: "percentunit",
        },
      ),
      panel(
        "timeseries",
        "Node memory",
        [prom("1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes", "{{instance}}")],
        {
          unit: "percentunit",
        },
      ),
      panel("timeseries", "Pods by phase", [prom("sum by (phase) (kube_pod_status_phase)", "{{phase}}")], {
        stacked: true,
      }),
      panel(
        "stat",
        "Pending pods",
        [prom('sum(kube_pod_status_phase{phase="Pending"}) or vector(0)', undefined, { instant: true })],
        {
          width: 6,
        },
      ),
      panel(
        "stat",
        "Restarts (1h)",
        [prom("sum(increase(kube_pod_container_status_restarts_total[1h]))", undefined, { instant: true })],
        {
          width: 6,
        },
      ),
      panel("table", "Restarting containers (1h)", [
        prom(
          "topk(10, sum by (namespace, pod, container) (increase(kube_pod_container_status_restarts_total[1h])) > 0)",
          undefined,
          { instant: true },
        ),
      ]),
      panel(
        "bargauge",
        "Volume usage",
        [
          prom(
            "kubelet_volume_stats_used_bytes / kubelet_volume_stats_capacity_bytes",
            "{{namespace}}/{{persistentvolumeclaim}}",
            { instant: true },
          ),
        ],
        { unit: "percentunit" },
      ),
    ],
  };
}

/** Log volume and errors from Loki, by the labels Alloy sets. */
export function logs(config: StackConfig): DashboardSpec {
  const apps = `namespace=~"${config.apps.namespaces.join("|") || ".+"}"`;
  return {
    uid: UIDS.logs,
    title: "Logs",
    description: "Log volume by level and app, and the latest error lines; a line's traceId opens its trace.",
    tags: ["observability", "logs"],
    panels: [
      panel(
        "timeseries",
        "Lines by level",
        [loki(`sum by (level) (count_over_time({${apps}} [$__auto]))`, "{{level}}")],
        {
          stacked: true,
        },
      ),
      panel(
        "timeseries",
        "Lines by app",
        [loki(`sum by (app) (count_over_time({${apps}} [$__auto]))`, "{{app}}")],
        { stacked: true },
      ),
      panel(
        "timeseries",
        "Error lines by app",
        [loki(`sum by (app) (count_over_time({${apps}, level="error"} [$__auto]))`, "{{app}}")],
        {
          width: 24,
        },
      ),
      panel("logs", "Error lines", [loki(`{${apps}, level="error"}`)], { width: 24, height: 12 }),
    ],
  };
}

/** The service graph and RED from span metrics (the collector's connectors). */
export function tracing(): DashboardSpec {
  return {
    uid: UIDS.tracing,
    title: "Tracing",
    description:
      "Service graph and span-metric RED from every span the collector received (before sampling).",
    tags: ["observability", "tracing"],
    panels: [
      panel("nodeGraph", "Service graph", [{ kind: "tempo-service-map" }], { width: 24, height: 12 }),
      panel(
        "timeseries",
        "Calls by service",
        [prom(`sum by (service_name) (rate(traces_spanmetrics_calls_total[${RATE}]))`, "{{service_name}}")],
        {
          unit: "ops",
        },
      ),
      panel(
        "timeseries",
        "Error spans by service",
        [
          prom(
            `sum by (service_name) (rate(traces_spanmetrics_calls_total{status_code="STATUS_CODE_ERROR"}[${RATE}]))`,
            "{{service_name}}",
          ),
        ],
        { unit: "ops" },
      ),
      panel(
        "timeseries",
        "Span p95 by service",
        [
          prom(
            `histogram_quantile(0.95, sum by (service_name, le) (rate(traces_spanmetrics_duration_seconds_bucket[${RATE}])))`,
            "{{service_name}}",
            { exemplar: true },
          ),
        ],
        { unit: "s" },
      ),
      panel(
        "timeseries",
        "Calls between services",
        [
          prom(
            `sum by (client, server) (rate(traces_service_graph_request_total[${RATE}]))`,
            "{{client}} → {{server}}",
          ),
        ],
        { unit: "ops" },
      ),
    ],
  };
}

/** What is firing, from Prometheus' ALERTS series and Alertmanager. */
export function alerts(): DashboardSpec {
  return {
    uid: UIDS.alerts,
    title: "Alerts",
    description: "Firing alerts by severity and their history; silences and routing live in Alertmanager.",
    tags: ["observability", "alerts"],
    panels: [
      panel(
        "stat",
        "Critical",
        [
          prom('count(ALERTS{alertstate="firing", severity="critical"}) or vector(0)', undefined, {
            instant: true,
          }),
        ],
        {
          width: 8,
        },
      ),
      panel(
        "stat",
        "Warning",
        [
          prom('count(ALERTS{alertstate="firing", severity="warning"}) or vector(0)', undefined, {
            instant: true,
          }),
        ],
        {
          width: 8,
        },
      ),
      panel(
        "stat",
        "Pending",
        [prom('count(ALERTS{alertstate="pending"}) or vector(0)', undefined, { instant: true })],
        { width: 8 },
      ),
      panel(
        "table",
        "Firing alerts",
        [prom('ALERTS{alertstate="firing", severity!="none"}', undefined, { instant: true })],
        { width: 24 },
      ),
      panel(
        "timeseries",
        "Firing alerts over time",
        [prom('sum by (alertname) (ALERTS{alertstate="firing", severity!="none"})', "{{alertname}}")],
        { width: 24, stacked: true },
      ),
    ],
  };
}

/** Ingestion and errors of every component of the stack itself. */
export function stackHealth(): DashboardSpec {
  return {
    uid: UIDS.stack,
    title: "Stack health",
    description: "Ingestion and errors of Prometheus, Loki, Tempo, the OpenTelemetry Collector and Alloy.",
    tags: ["observability", "self-monitoring"],
    panels: [
      panel("table", "Targets down", [prom('up{tier="observability"} == 0', undefined, { instant: true })], {
        width: 24,
        height: 5,
      }),
      panel(
        "timeseries",
        "Prometheus samples / s",
        [prom(`sum(rate(prometheus_tsdb_head_samples_appended_total[${RATE}]))`, "samples")],
        {
          unit: "ops",
        },
      ),
      panel("timeseries", "Prometheus active series", [prom("sum(prometheus_tsdb_head_series)", "series")]),
      panel(
        "timeseries",
        "Loki lines received / s",
        [prom(`sum(rate(loki_distributor_lines_received_total[${RATE}]))`, "lines")],
        {
          unit: "ops",
        },
      ),
      panel(
        "timeseries",
        "Loki 5xx responses / s",
        [
          prom(
            `sum by (route) (rate(loki_request_duration_seconds_count{status_code=~"5.."}[${RATE}]))`,
            "{{route}}",
          ),
        ],
        { unit: "ops" },
      ),
      panel(
        "timeseries",
        "Tempo spans received / s",
        [prom(`sum(rate(tempo_distributor_spans_received_total[${RATE}]))`, "spans")],
        {
          unit: "ops",
        },
      ),
      panel(
        "timeseries",
        "Collector spans accepted / refused",
        [
          prom(`sum(rate(otelcol_receiver_accepted_spans_total[${RATE}]))`, "accepted"),
          prom(`sum(rate(otelcol_receiver_refused_spans_total[${RATE}]))`, "refused"),
          prom(`sum(rate(otelcol_exporter_send_failed_spans_total[${RATE}]))`, "export failed"),
        ],
        { unit: "ops" },
      ),
      panel(
        "timeseries",
        "Alloy lines sent / dropped",
        [
          prom(`sum(rate(loki_write_sent_entries_total[${RATE}]))`, "sent"),
          prom(`sum(rate(loki_write_dropped_entries_total[${RATE}]))`, "dropped"),
        ],
        { unit: "ops" },
      ),
      panel(
        "timeseries",
        "Alertmanager notifications failed",
        [
          prom(
            `sum by (integration) (rate(alertmanager_notifications_failed_total[${RATE}]))`,
            "{{integration}}",
          ),
        ],
        { unit: "ops" },
      ),
    ],
  };
}
