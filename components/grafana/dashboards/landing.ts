import { prom } from "../dashboard/model";
import { statTile, table } from "../dashboard/presets";
import { DashboardDefinition, DashboardIdentity, defineDashboard } from "./definition";

/**
 * The start page: the app services at a glance, and a link to each dashboard of `linked`, under
 * its own uid and title, so that a dashboard added to the list is linked with no second edit.
 */
export const landing = (linked: readonly DashboardIdentity[]): DashboardDefinition =>
  defineDashboard({ uid: "obs-landing", title: "Landing" }, (config) => ({
    description: `Start here: the services of ${config.cluster.name} (${config.cluster.env}) and where to look next.`,
    tags: ["observability", "landing"],
    links: linked,
    // What the stack sees, at a glance: the apps it found, its targets, its alerts, and the rate of
    // each signal coming in (requests from metrics, log lines into Loki, spans into the collector).
    panels: [
      statTile({
        title: "Services found",
        description: "App services Prometheus discovers, up or not.",
        expr: 'count(count by (namespace, service) (up{tier="app"})) or vector(0)',
        height: 4,
      }),
      statTile({
        title: "Targets up",
        description: "Scrape targets answering, the stack's own and the apps'.",
        expr: "count(up == 1) or vector(0)",
        height: 4,
      }),
      statTile({
        title: "Targets down",
        expr: "count(up == 0) or vector(0)",
        height: 4,
      }),
      statTile({
        title: "Firing alerts",
        expr: 'count(ALERTS{alertstate="firing", severity!="none"}) or vector(0)',
        height: 4,
      }),
      statTile({
        title: "Requests / s",
        expr: "sum(service:http_requests:rate5m)",
        unit: "reqps",
        sparkline: true,
        width: 8,
        height: 4,
      }),
      statTile({
        title: "Log lines / s",
        description: "Lines Loki's distributor accepts, from every namespace Alloy reads.",
        expr: "sum(rate(loki_distributor_lines_received_total[5m]))",
        unit: "ops",
        sparkline: true,
        width: 8,
        height: 4,
      }),
      statTile({
        title: "Spans / s",
        description: "Spans the collector's receivers accept (OTLP and Zipkin).",
        expr:
          config.spanIngestJob === undefined
            ? "sum(rate(otelcol_receiver_accepted_spans_total[5m]))"
            : `sum(rate(otelcol_receiver_accepted_spans_total{job="${config.spanIngestJob}"}[5m]))`,
        unit: "ops",
        sparkline: true,
        width: 8,
        height: 4,
      }),
      table({
        title: "Services",
        description:
          "Requests / s, 5xx ratio, p99 latency (where the service or its spans give a histogram) and average latency, each from the service's own metrics or else its span metrics.",
        queries: [
          prom("sum by (service) (service:http_requests:rate5m)", "{{service}}"),
          prom("sum by (service) (service:http_errors:ratio_rate5m)", "{{service}}"),
          prom("max by (service) (service:http_request_duration_seconds:p99_rate5m)", "{{service}}"),
          prom("max by (service) (service:http_request_duration_seconds:avg_rate5m)", "{{service}}"),
        ],
        width: 16,
        height: 10,
      }),
      {
        type: "text",
        title: "Dashboards",
        markdown: linked.map(({ uid, title }) => `- [${title}](/d/${uid})`).join("\n"),
        width: 8,
        height: 10,
      },
    ],
  }));
