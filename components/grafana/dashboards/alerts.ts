import { prom } from "../dashboard/model";
import { statTile, table, timeSeries } from "../dashboard/presets";
import { defineDashboard } from "./definition";

const FIRING = 'ALERTS{alertstate="firing", severity!="none"}';

/** What is firing, from Prometheus' ALERTS series and Alertmanager. */
export const alerts = defineDashboard({ uid: "obs-alerts", title: "Alerts" }, () => ({
  description: "Firing alerts by severity and their history; silences and routing live in Alertmanager.",
  tags: ["observability", "alerts"],
  panels: [
    statTile({
      title: "Critical",
      expr: 'count(ALERTS{alertstate="firing", severity="critical"}) or vector(0)',
      width: 8,
    }),
    statTile({
      title: "Warning",
      expr: 'count(ALERTS{alertstate="firing", severity="warning"}) or vector(0)',
      width: 8,
    }),
    statTile({ title: "Pending", expr: 'count(ALERTS{alertstate="pending"}) or vector(0)', width: 8 }),
    table({ title: "Firing alerts", queries: [prom(FIRING)], width: 24 }),
    timeSeries({
      title: "Firing alerts over time",
      queries: [prom(`sum by (alertname) (${FIRING})`, "{{alertname}}")],
      width: 24,
      stacked: true,
    }),
  ],
}));
