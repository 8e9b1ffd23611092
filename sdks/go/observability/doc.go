// MetricsStack, LogsStack, TracingStack and GrafanaStack: Prometheus, Alertmanager, Loki, Alloy, the OpenTelemetry Collector, Tempo and Grafana as Pulumi components
package observability
