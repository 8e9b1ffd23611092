import { prom } from "../dashboard/model";
import { statTile, table } from "../dashboard/presets";
import { defineDashboard } from "./definition";
import { alerts } from "./alerts";
import { infrastructure } from "./infrastructure";
import { jvmSpring } from "./jvmSpring";
import { logs } from "./logs";
import { nodejsRuntime } from "./nodejsRuntime";
import { serviceDetail } from "./serviceDetail";
import { serviceOverview } from "./serviceOverview";
import { slos } from "./slos";
import { stackHealth } from "./stackHealth";
import { tracing } from "./tracing";

/** The start page: the app services at a glance and a link to every other dashboard. */
export const landing = defineDashboard({ uid: "obs-landing", title: "Landing" }, (config) => {
  const links = [
    [serviceOverview.uid, "Service Overview"],
    [serviceDetail.uid, "Service Detail"],
    [slos.uid, "SLOs"],
    [jvmSpring.uid, "JVM / Spring"],
    [nodejsRuntime.uid, "Node.js"],
    [infrastructure.uid, "Infrastructure"],
    [logs.uid, "Logs"],
    [tracing.uid, "Tracing"],
    [alerts.uid, "Alerts"],
    [stackHealth.uid, "Stack health"],
  ] as const;
  return {
    description: `Start here: the services of ${config.cluster.name} (${config.cluster.env}) and where to look next.`,
    tags: ["observability", "landing"],
    links: links.map(([uid, title]) => ({ uid, title })),
    panels: [
      statTile({ title: "Services up", expr: 'count(up{tier="app"} == 1)', height: 4 }),
      statTile({ title: "Services down", expr: 'count(up{tier="app"} == 0) or vector(0)', height: 4 }),
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
        markdown: links.map(([uid, title]) => `- [${title}](/d/${uid})`).join("\n"),
        width: 8,
        height: 10,
      },
    ],
  };
});
