import { StackConfig } from "../../../config";
import { panel, prom } from "../dashboard/model";
import { DashboardDefinition } from "./definition";
import { SERVICE_VARIABLE } from "./serviceVariable";

/** Objectives, SLIs and burn rates from the MetricsStack's SLO recording rules. */
export const slos: DashboardDefinition = {
  uid: "obs-slo",
  title: "SLOs",
  content: (config: StackConfig) => {
    const budget = +(1 - config.metrics.slo.latencyObjective).toFixed(6);
    return {
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
  },
};
