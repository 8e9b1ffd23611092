import { StackConfig } from "../../../config";
import { LATENCY_SOURCES, perService, sumRate } from "../../metrics/httpSources";
import { DashboardSpec, VariableSpec, panel, prom } from "../dashboard/model";

// Service-level dashboards: they read the MetricsStack's recording rules (service:*), which pick
// each service's own source (see components/metrics/httpSources.ts), and say so where a panel can
// only read one framework's labels.

export const SERVICE_VARIABLE: VariableSpec = {
  name: "service",
  label: "Service",
  query: "label_values(service:http_requests:rate5m, service)",
};

const RATE = "$__rate_interval";

/** The quantile from each service's own histogram, else its span metrics, read raw for exemplars. */
const quantile = (q: number) =>
  perService(
    LATENCY_SOURCES,
    (s) =>
      `histogram_quantile(${q}, ${sumRate(s, `${s.family}_bucket`, [], RATE, { by: ["le"], services: 'service=~"$service"' })})`,
  );

const MICROMETER_ONLY =
  "Spring (Micrometer) services only: other frameworks label endpoints differently (prom-client `path`, OpenTelemetry `http_route`) or not at all (client_golang's promhttp); Service Overview covers every service.";

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
          prom("max by (service) (service:http_request_duration_seconds:avg_rate5m)", "{{service}}", {
            instant: true,
          }),
        ],
        {
          width: 16,
          height: 10,
          description:
            "Requests / s, 5xx ratio, p99 latency (where the service or its spans give a histogram) and average latency, each from the service's own metrics or else its span metrics.",
        },
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
      "RED per service, from its own HTTP metric or else its span metrics: request rate, 4xx and 5xx errors, p50/p95/p99 latency where a histogram exists (exemplars to traces), average and, for Spring, maximum latency.",
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
        [prom(`sum by (service) (service:http_client_errors:rate5m${selector})`, "{{service}}")],
        { unit: "reqps" },
      ),
      panel(
        "timeseries",
        "Latency p50 / p95 / p99 (histograms)",
        [
          prom(quantile(0.5), "p50 {{service}}", { exemplar: true }),
          prom(quantile(0.95), "p95 {{service}}", { exemplar: true }),
          prom(quantile(0.99), "p99 {{service}}", { exemplar: true }),
        ],
        {
          unit: "s",
          description:
            "From the service's own histogram, else the collector's span metrics. A Spring service publishes a histogram only with percentiles-histogram on (the app ConfigMap sets it).",
        },
      ),
      panel(
        "timeseries",
        "Latency average (_sum / _count)",
        [prom(`service:http_request_duration_seconds:avg_rate5m${selector}`, "avg {{service}}")],
        {
          unit: "s",
          description:
            "Every service with a duration metric, histogram or not (Spring's defaults print none).",
        },
      ),
      panel(
        "timeseries",
        "Latency maximum (Micrometer _max)",
        [prom(`service:http_request_duration_seconds:max${selector}`, "max {{service}}")],
        {
          unit: "s",
          description:
            "Spring (Micrometer) services only: Micrometer's _max gauge (largest request of a rolling window); no other framework prints a maximum.",
        },
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
        { unit: "reqps", description: MICROMETER_ONLY },
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
        { unit: "reqps", description: MICROMETER_ONLY },
      ),
      panel(
        "timeseries",
        "p95 by endpoint",
        [
          prom(
            `histogram_quantile(0.95, sum by (method, uri, le) (rate(http_server_requests_seconds_bucket${selector}[${RATE}])))`,
            "{{method}} {{uri}}",
            { exemplar: true },
          ),
        ],
        {
          unit: "s",
          description: `${MICROMETER_ONLY} Needs percentiles-histogram (the app ConfigMap sets it).`,
        },
      ),
      panel(
        "table",
        "Status codes",
        [
          prom(
            `sum by (status) (increase(http_server_requests_seconds_count${selector}[1h]))`,
            "{{status}}",
            {
              instant: true,
            },
          ),
        ],
        { description: MICROMETER_ONLY },
      ),
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
      panel(
        "table",
        "Services without an SLI, and why",
        [prom('service:slo_sli:present{service=~"$service"} == 0', undefined, { instant: true })],
        {
          width: 24,
          description:
            "Scraped app services the SLO rules cannot cover (sli, reason). Their burn-rate alerts cannot fire; SLOCoverageMissing warns after 30 minutes. The README says what each framework must publish.",
        },
      ),
      panel(
        "table",
        "SLI sources",
        [prom('service:slo_sli:present{service=~"$service"} == 1', undefined, { instant: true })],
        {
          width: 24,
          description:
            "Where each service's SLIs come from (sli_source): its own HTTP metric, or the collector's span metrics, whose rates count only the spans apps send (a share of the requests when apps sample at the head; ratios are unaffected).",
        },
      ),
    ],
  };
}
