import { StackConfig } from "../../../config";
import { DashboardSpec, VariableSpec, panel, prom } from "../dashboardSdk";

// Service-level dashboards: they read the MetricsStack's recording rules (service:*) where one
// exists, and Micrometer's http_server_requests_seconds_* otherwise.

export const SERVICE_VARIABLE: VariableSpec = {
  name: "service",
  label: "Service",
  query: "label_values(service:http_requests:rate5m, service)",
};

const RATE = "$__rate_interval";
const quantile = (q: number, by: string, selector = "") =>
  `histogram_quantile(${q}, sum by (${by}, le) (rate(http_server_requests_seconds_bucket${selector}[${RATE}])))`;

export const UIDS = {
  landing: "obs-landing",
  overview: "obs-service-overview",
  detail: "obs-service-detail",
  jvm: "obs-jvm",
  nodejs: "obs-nodejs",
  infrastructure: "obs-infrastructure",
  logs: "obs-logs",
  tracing: "obs-tracing",
  slo: "obs-slo",
  alerts: "obs-alerts",
  stack: "obs-stack-health",
} as const;

export function landing(config: StackConfig): DashboardSpec {
  const links = [
    [UIDS.overview, "Service Overview"],
    [UIDS.detail, "Service Detail"],
    [UIDS.slo, "SLOs"],
    [UIDS.jvm, "JVM / Spring"],
    [UIDS.nodejs, "Node.js"],
    [UIDS.infrastructure, "Infrastructure"],
    [UIDS.logs, "Logs"],
    [UIDS.tracing, "Tracing"],
    [UIDS.alerts, "Alerts"],
    [UIDS.stack, "Stack health"],
  ] as const;
  return {
    uid: UIDS.landing,
    title: "Landing",
    description: `Start here: the services of ${config.cluster.name} (${config.cluster.env}) and where to look next.`,
    tags: ["observability", "landing"],
    links: links.map(([uid, title]) => ({ uid, title })),
    panels: [
      panel("stat", "Services up", [prom('count(up{tier="app"} == 1)', undefined, { instant: true })], {
        width: 6,
        height: 4,
      }),
      panel(
        "stat",
        "Services down",
        [prom('count(up{tier="app"} == 0) or vector(0)', undefined, { instant: true })],
        {
          width: 6,
          height: 4,
        },
      ),
      panel(
        "stat",
        "Firing alerts",
        [
          prom('count(ALERTS{alertstate="firing", severity!="none"}) or vector(0)', undefined, {
            instant: true,
          }),
        ],
        {
          width: 6,
          height: 4,
        },
      ),
      panel("stat", "Requests / s", [prom("sum(service:http_requests:rate5m)")], {
        width: 6,
        height: 4,
        unit: "reqps",
      }),
      panel(
        "table",
        "Services",
        [
          prom("sum by (service) (service:http_requests:rate5m)", "{{service}}", { instant: true }),
          prom("sum by (service) (service:http_errors:ratio_rate5m)", "{{service}}", { instant: true }),
          prom("max by (service) (service:http_request_duration_seconds:p99_rate5m)", "{{service}}", {
            instant: true,
          }),
        ],
        { width: 16, height: 10 },
      ),
      panel("text", "Dashboards", [], {
        width: 8,
        height: 10,
        markdown: links.map(([uid, title]) => `- [${title}](/d/${uid})`).join("\n"),
      }),
    ],
  };
}

export function serviceOverview(): DashboardSpec {
  const selector = '{service=~"$service"}';
  return {
    uid: UIDS.overview,
    title: "Service Overview",
    description:
      "RED per service: request rate, 4xx and 5xx errors, p50/p95/p99 latency with exemplars to traces.",
    tags: ["observability", "services", "red"],
    variables: [SERVICE_VARIABLE],
    panels: [
      panel(
        "timeseries",
        "Request rate",
        [prom(`sum by (service) (service:http_requests:rate5m${selector})`, "{{service}}")],
        {
          unit: "reqps",
        },
      ),
      panel(
        "timeseries",
        "5xx ratio",
        [prom(`sum by (service) (service:http_errors:ratio_rate5m${selector})`, "{{service}}")],
        {
          unit: "percentunit",
        },
      ),
      panel(
        "timeseries",
        "4xx rate",
        [
          prom(
            `sum by (service) (rate(http_server_requests_seconds_count{service=~"$service", status=~"4.."}[${RATE}]))`,
            "{{service}}",
          ),
        ],
        { unit: "reqps" },
      ),
      panel(
        "timeseries",
        "Latency p50 / p95 / p99",
        [
          prom(quantile(0.5, "service", selector), "p50 {{service}}", { exemplar: true }),
          prom(quantile(0.95, "service", selector), "p95 {{service}}", { exemplar: true }),
          prom(quantile(0.99, "service", selector), "p99 {{service}}", { exemplar: true }),
        ],
        { unit: "s" },
      ),
    ],
  };
}

export function serviceDetail(): DashboardSpec {
  const selector = '{service=~"$service"}';
  return {
    uid: UIDS.detail,
    title: "Service Detail",
    description: "One service by endpoint: rate, errors and latency per URI and method.",
    tags: ["observability", "services"],
    variables: [{ ...SERVICE_VARIABLE, multi: false }],
    panels: [
      panel(
        "timeseries",
        "Requests by endpoint",
        [
          prom(
            `sum by (method, uri) (rate(http_server_requests_seconds_count${selector}[${RATE}]))`,
            "{{method}} {{uri}}",
          ),
        ],
        { unit: "reqps" },
      ),
      panel(
        "timeseries",
        "Errors by endpoint",
        [
          prom(
            `sum by (method, uri, status) (rate(http_server_requests_seconds_count{service=~"$service", status=~"[45].."}[${RATE}]))`,
            "{{status}} {{method}} {{uri}}",
          ),
        ],
        { unit: "reqps" },
      ),
      panel(
        "timeseries",
        "p95 by endpoint",
        [prom(quantile(0.95, "method, uri", selector), "{{method}} {{uri}}", { exemplar: true })],
        {
          unit: "s",
        },
      ),
      panel("table", "Status codes", [
        prom(`sum by (status) (increase(http_server_requests_seconds_count${selector}[1h]))`, "{{status}}", {
          instant: true,
        }),
      ]),
    ],
  };
}

export function slo(config: StackConfig): DashboardSpec {
  const budget = +(1 - config.metrics.slo.latencyObjective).toFixed(6);
  return {
    uid: UIDS.slo,
    title: "SLOs",
    description:
      "Availability and latency objectives per service, their SLIs and error-budget burn rates (1 = on budget).",
    tags: ["observability", "slo"],
    variables: [SERVICE_VARIABLE],
    panels: [
      panel(
        "stat",
        "Availability objective",
        [prom('service:slo_availability:objective{service=~"$service"}', "{{service}}", { instant: true })],
        {
          unit: "percentunit",
          width: 8,
        },
      ),
      panel(
        "timeseries",
        "Availability (6h)",
        [prom('1 - service:http_errors:ratio_rate6h{service=~"$service"}', "{{service}}")],
        {
          unit: "percentunit",
          width: 16,
        },
      ),
      panel("timeseries", "Availability burn rate", [
        prom(
          'service:http_errors:ratio_rate1h{service=~"$service"} / (1 - service:slo_availability:objective)',
          "1h {{service}}",
        ),
        prom(
          'service:http_errors:ratio_rate6h{service=~"$service"} / (1 - service:slo_availability:objective)',
          "6h {{service}}",
        ),
      ]),
      panel("timeseries", "Latency burn rate", [
        prom(`service:http_requests_slow:ratio_rate1h{service=~"$service"} / ${budget}`, "1h {{service}}"),
        prom(`service:http_requests_slow:ratio_rate6h{service=~"$service"} / ${budget}`, "6h {{service}}"),
      ]),
    ],
  };
}
