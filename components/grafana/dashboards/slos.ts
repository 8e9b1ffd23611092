import { prom } from "../dashboard/model";
import { statTile, table, timeSeries } from "../dashboard/presets";
import { defineDashboard } from "./definition";
import { SERVICE_MATCHER, SERVICE_VARIABLE } from "./serviceVariable";

/** Objectives, SLIs and burn rates from the Metrics component's SLO recording rules. */
export const slos = defineDashboard({ uid: "obs-slo", title: "SLOs" }, (config) => {
  const budget = +(1 - config.metrics.slo.latencyObjective).toFixed(6);
  return {
    description:
      "Availability and latency objectives per service, their SLIs and error-budget burn rates (1 = on budget).",
    tags: ["observability", "slo"],
    variables: [SERVICE_VARIABLE],
    panels: [
      statTile({
        title: "Availability objective",
        expr: `service:slo_availability:objective{${SERVICE_MATCHER}}`,
        legend: "{{service}}",
        unit: "percentunit",
        width: 8,
      }),
      timeSeries({
        title: "Availability (6h)",
        queries: [prom(`1 - service:http_errors:ratio_rate6h{${SERVICE_MATCHER}}`, "{{service}}")],
        unit: "percentunit",
        width: 16,
      }),
      timeSeries({
        title: "Availability burn rate",
        queries: [
          prom(
            `service:http_errors:ratio_rate1h{${SERVICE_MATCHER}} / (1 - service:slo_availability:objective)`,
            "1h {{service}}",
          ),
          prom(
            `service:http_errors:ratio_rate6h{${SERVICE_MATCHER}} / (1 - service:slo_availability:objective)`,
            "6h {{service}}",
          ),
        ],
      }),
      timeSeries({
        title: "Latency burn rate",
        queries: [
          prom(`service:http_requests_slow:ratio_rate1h{${SERVICE_MATCHER}} / ${budget}`, "1h {{service}}"),
          prom(`service:http_requests_slow:ratio_rate6h{${SERVICE_MATCHER}} / ${budget}`, "6h {{service}}"),
        ],
      }),
      table({
        title: "Services without an SLI, and why",
        description:
          "Scraped app services the SLO rules cannot cover (sli, reason). Their burn-rate alerts cannot fire; SLOCoverageMissing warns after 30 minutes. The README says what each framework must publish.",
        queries: [prom(`service:slo_sli:present{${SERVICE_MATCHER}} == 0`)],
        width: 24,
      }),
      table({
        title: "SLI sources",
        description:
          "Where each service's SLIs come from (sli_source): its own HTTP metric, or the collector's span metrics, whose rates count only the spans apps send (a share of the requests when apps sample at the head; ratios are unaffected).",
        queries: [prom(`service:slo_sli:present{${SERVICE_MATCHER}} == 1`)],
        width: 24,
      }),
    ],
  };
});
