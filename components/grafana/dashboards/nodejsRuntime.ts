import { RATE_INTERVAL, prom } from "../dashboard/model";
import { timeSeries } from "../dashboard/presets";
import { defineDashboard } from "./definition";
import { SERVICE_MATCHER, SERVICE_VARIABLE } from "./serviceVariable";

/** prom-client's default Node.js metrics. */
export const nodejsRuntime = defineDashboard({ uid: "obs-nodejs", title: "Node.js runtime" }, () => ({
  description: "Event-loop lag, heap and CPU of Node.js services (prom-client default metrics).",
  tags: ["observability", "nodejs"],
  variables: [SERVICE_VARIABLE],
  panels: [
    timeSeries({
      title: "Event-loop lag p99",
      queries: [
        prom(`max by (service) (nodejs_eventloop_lag_p99_seconds{${SERVICE_MATCHER}})`, "{{service}}"),
      ],
      unit: "s",
    }),
    timeSeries({
      title: "Heap used",
      queries: [prom(`sum by (service) (nodejs_heap_size_used_bytes{${SERVICE_MATCHER}})`, "{{service}}")],
      unit: "bytes",
    }),
    timeSeries({
      title: "CPU",
      queries: [
        prom(
          `sum by (service) (rate(process_cpu_seconds_total{${SERVICE_MATCHER}}[${RATE_INTERVAL}]))`,
          "{{service}}",
        ),
      ],
      unit: "short",
    }),
    timeSeries({
      title: "Active handles",
      queries: [prom(`sum by (service) (nodejs_active_handles_total{${SERVICE_MATCHER}})`, "{{service}}")],
    }),
  ],
}));
