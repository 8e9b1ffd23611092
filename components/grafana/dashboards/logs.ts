import { StackConfig } from "../../../config";
import { loki, panel } from "../dashboard/model";
import { DashboardDefinition } from "./definition";

/** Log volume and errors from Loki, by the labels Alloy sets. */
export const logs: DashboardDefinition = {
  uid: "obs-logs",
  title: "Logs",
  content: (config: StackConfig) => {
    const apps = `namespace=~"${config.apps.namespaces.join("|") || ".+"}"`;
    return {
      description:
        "Log volume by level and app, and the latest error lines; a line's traceId opens its trace.",
      tags: ["observability", "logs"],
      panels: [
        panel(
          "timeseries",
          "Lines by level",
          [loki(`sum by (level) (count_over_time({${apps}} [$__auto]))`, "{{level}}")],
          {
            stacked: true,
          },
        ),
        panel(
          "timeseries",
          "Lines by app",
          [loki(`sum by (app) (count_over_time({${apps}} [$__auto]))`, "{{app}}")],
          { stacked: true },
        ),
        panel(
          "timeseries",
          "Error lines by app",
          [loki(`sum by (app) (count_over_time({${apps}, level="error"} [$__auto]))`, "{{app}}")],
          {
            width: 24,
          },
        ),
        panel("logs", "Error lines", [loki(`{${apps}, level="error"}`)], { width: 24, height: 12 }),
      ],
    };
  },
};
