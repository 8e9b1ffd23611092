import { RATE_INTERVAL, panel, prom } from "../dashboard/model";
import { DashboardDefinition } from "./definition";
import { SERVICE_MATCHER, SERVICE_VARIABLE } from "./serviceVariable";

/** prom-client's default Node.js metrics. */
export const nodejsRuntime: DashboardDefinition = {
  uid: "obs-nodejs",
  title: "Node.js runtime",
  content: () => ({
    description: "Event-loop lag, heap and CPU of Node.js services (prom-client default metrics).",
    tags: ["observability", "nodejs"],
    variables: [SERVICE_VARIABLE],
    panels: [
      panel(
        "timeseries",
        "Event-loop lag p99",
        [prom(`max by (service) (nodejs_eventloop_lag_p99_seconds{${SERVICE_MATCHER}})`, "{{service}}")],
        {
          unit: "s",
        },
      ),
      panel(
        "timeseries",
        "Heap used",
        [prom(`sum by (service) (nodejs_heap_size_used_bytes{${SERVICE_MATCHER}})`, "{{service}}")],
        {
          unit: "bytes",
        },
      ),
      panel(
        "timeseries",
        "CPU",
        [
          prom(
            `sum by (service) (rate(process_cpu_seconds_total{${SERVICE_MATCHER}}[${RATE_INTERVAL}]))`,
            "{{service}}",
          ),
        ],
        {
          unit: "short",
        },
      ),
      panel("timeseries", "Active handles", [
        prom(`sum by (service) (nodejs_active_handles_total{${SERVICE_MATCHER}})`, "{{service}}"),
      ]),
    ],
  }),
};
