import { RATE_INTERVAL, panel, prom } from "../dashboard/model";
import { DashboardDefinition } from "./definition";
import { SERVICE_MATCHER, SERVICE_VARIABLE } from "./serviceVariable";

const MICROMETER_ONLY =
  "Spring (Micrometer) services only: other frameworks label endpoints differently (prom-client `path`, OpenTelemetry `http_route`) or not at all (client_golang's promhttp); Service Overview covers every service.";

/** One service by endpoint, from Micrometer's labels: its panels say so, as other frameworks label endpoints differently. */
export const serviceDetail: DashboardDefinition = {
  uid: "obs-service-detail",
  title: "Service Detail",
  content: () => {
    const selector = `{${SERVICE_MATCHER}}`;
    return {
      description: "One service by endpoint: rate, errors and latency per URI and method.",
      tags: ["observability", "services"],
      variables: [{ ...SERVICE_VARIABLE, multi: false }],
      panels: [
        panel(
          "timeseries",
          "Requests by endpoint",
          [
            prom(
              `sum by (method, uri) (rate(http_server_requests_seconds_count${selector}[${RATE_INTERVAL}]))`,
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
              `sum by (method, uri, status) (rate(http_server_requests_seconds_count{service=~"$service", status=~"[45].."}[${RATE_INTERVAL}]))`,
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
              `histogram_quantile(0.95, sum by (method, uri, le) (rate(http_server_requests_seconds_bucket${selector}[${RATE_INTERVAL}])))`,
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
  },
};
