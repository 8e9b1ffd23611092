import { loki } from "../dashboard/model";
import { timeSeries } from "../dashboard/presets";
import { defineDashboard } from "./definition";

/** Log volume and errors from Loki, by the labels Alloy sets. */
export const logs = defineDashboard({ uid: "obs-logs", title: "Logs" }, (config) => {
  const apps = `namespace=~"${config.apps.namespaces.join("|") || ".+"}"`;
  return {
    description: "Log volume by level and app, and the latest error lines; a line's traceId opens its trace.",
    tags: ["observability", "logs"],
    panels: [
      timeSeries({
        title: "Lines by level",
        queries: [loki(`sum by (level) (count_over_time({${apps}} [$__auto]))`, "{{level}}")],
        stacked: true,
      }),
      timeSeries({
        title: "Lines by app",
        queries: [loki(`sum by (app) (count_over_time({${apps}} [$__auto]))`, "{{app}}")],
        stacked: true,
      }),
      timeSeries({
        title: "Error lines by app",
        queries: [loki(`sum by (app) (count_over_time({${apps}, level="error"} [$__auto]))`, "{{app}}")],
        width: 24,
      }),
      {
        type: "logs",
        title: "Error lines",
        queries: [loki(`{${apps}, level="error"}`)],
        width: 24,
        height: 12,
      },
    ],
  };
});
