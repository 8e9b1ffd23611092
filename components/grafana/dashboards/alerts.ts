import { panel, prom } from "../dashboard/model";
import { DashboardDefinition } from "./definition";

/** What is firing, from Prometheus' ALERTS series and Alertmanager. */
export const alerts: DashboardDefinition = {
  uid: "obs-alerts",
  title: "Alerts",
  content: () => ({
    description: "Firing alerts by severity and their history; silences and routing live in Alertmanager.",
    tags: ["observability", "alerts"],
    panels: [
      panel(
        "stat",
        "Critical",
        [
          prom('count(ALERTS{alertstate="firing", severity="critical"}) or vector(0)', undefined, {
            instant: true,
          }),
        ],
        {
          width: 8,
        },
      ),
      panel(
        "stat",
        "Warning",
        [
          prom('count(ALERTS{alertstate="firing", severity="warning"}) or vector(0)', undefined, {
            instant: true,
          }),
        ],
        {
          width: 8,
        },
      ),
      panel(
        "stat",
        "Pending",
        [prom('count(ALERTS{alertstate="pending"}) or vector(0)', undefined, { instant: true })],
        { width: 8 },
      ),
      panel(
        "table",
        "Firing alerts",
        [prom('ALERTS{alertstate="firing", severity!="none"}', undefined, { instant: true })],
        { width: 24 },
      ),
      panel(
        "timeseries",
        "Firing alerts over time",
        [prom('sum by (alertname) (ALERTS{alertstate="firing", severity!="none"})', "{{alertname}}")],
        { width: 24, stacked: true },
      ),
    ],
  }),
};
