// The quickstart (examples/quickstart) in Go: the four components with their defaults, in the two
// namespaces StackNamespaces makes, through the package's provider and its generated Go SDK.
package main

import (
	"github.com/observability-stack/pulumi/sdks/go/observability"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		cfg := config.New(ctx, "")
		// One explicit provider, bound to a context of this stack's config, never kubectl's current one.
		provider, err := kubernetes.NewProvider(ctx, "cluster", &kubernetes.ProviderArgs{
			Context:                pulumi.String(cfg.Require("kubeContext")),
			EnableConfigMapMutable: pulumi.Bool(true),
			EnableSecretMutable:    pulumi.Bool(true),
		})
		if err != nil {
			return err
		}

		namespaces, err := observability.NewStackNamespaces(ctx, "namespaces", nil,
			pulumi.Providers(provider))
		if err != nil {
			return err
		}
		inNamespaces := []pulumi.ResourceOption{
			pulumi.Providers(provider),
			pulumi.DependsOn([]pulumi.Resource{namespaces}),
		}

		// How long Prometheus keeps metrics: the one setting this program takes from its stack
		// config (unset, the component's default).
		var retention pulumi.StringPtrInput
		if value, err := cfg.Try("metricsRetention"); err == nil {
			retention = pulumi.String(value)
		}
		metrics, err := observability.NewMetricsStack(ctx, "metrics", &observability.MetricsStackArgs{
			Metrics: &observability.MetricsSectionArgs{RetentionTime: retention},
		}, inNamespaces...)
		if err != nil {
			return err
		}
		logs, err := observability.NewLogsStack(ctx, "logs", nil, inNamespaces...)
		if err != nil {
			return err
		}
		tracing, err := observability.NewTracingStack(ctx, "tracing", nil, inNamespaces...)
		if err != nil {
			return err
		}
		// One peer, the way every component takes another's: Grafana reads Prometheus, whose pods
		// admit it.
		grafana, err := observability.NewGrafanaStack(ctx, "grafana", &observability.GrafanaStackArgs{
			Prometheus: metrics.PrometheusQuery.ToPrometheusPeerPtrOutput(),
		}, inNamespaces...)
		if err != nil {
			return err
		}

		ctx.Export("prometheusUrl", metrics.PrometheusUrl)
		ctx.Export("lokiUrl", logs.LokiUrl)
		ctx.Export("tempoUrl", tracing.TempoUrl)
		ctx.Export("grafanaUrl", grafana.Url)
		ctx.Export("grafanaAdminPassword", grafana.AdminPassword)
		return nil
	})
}
