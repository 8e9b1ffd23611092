"""The quickstart (examples/quickstart) in Python: the four components with their defaults, in the
two namespaces StackNamespaces makes, through the package's provider and its generated Python SDK."""

import pulumi
import pulumi_kubernetes as k8s

import observability_stack as observability

config = pulumi.Config()
# One explicit provider, bound to a context of this stack's config, never kubectl's current one.
provider = k8s.Provider(
    "cluster",
    context=config.require("kubeContext"),
    enable_config_map_mutable=True,
    enable_secret_mutable=True,
)

namespaces = observability.StackNamespaces(
    "namespaces", opts=pulumi.ResourceOptions(providers=[provider])
)
in_namespaces = pulumi.ResourceOptions(providers=[provider], depends_on=[namespaces])

# How long Prometheus keeps metrics: the one setting this program takes from its stack config.
metrics = observability.MetricsStack(
    "metrics",
    metrics={"retention_time": config.get("metricsRetention")},
    opts=in_namespaces,
)
logs = observability.LogsStack("logs", opts=in_namespaces)
tracing = observability.TracingStack("tracing", opts=in_namespaces)
# One peer, the way every component takes another's: Grafana reads Prometheus, whose pods admit it.
grafana = observability.GrafanaStack(
    "grafana", prometheus=metrics.prometheus_query, opts=in_namespaces
)

pulumi.export("prometheusUrl", metrics.prometheus_url)
pulumi.export("lokiUrl", logs.loki_url)
pulumi.export("tempoUrl", tracing.tempo_url)
pulumi.export("grafanaUrl", grafana.url)
pulumi.export("grafanaAdminPassword", grafana.admin_password)
