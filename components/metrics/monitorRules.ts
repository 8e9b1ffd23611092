import { alertFactory } from "../common/alertFactory";
import { MONITOR_SCRAPER } from "./names";
import { RuleGroup } from "../common/prometheusTypes";

/**
 * A ServiceMonitor or PodMonitor whose selector (or port name) matches nothing is the classic
 * silent failure: no error, no target, no data. The scraper keeps one scrape pool per monitor
 * endpoint (`serviceMonitor/<namespace>/<name>/<index>`) and reports its target count after the
 * selector's relabelling, so an empty pool is exactly that failure.
 */
export function monitorRules(runbookBaseUrl: string): RuleGroup {
  const alert = alertFactory(runbookBaseUrl);
  return {
    name: "prometheus-operator-monitors",
    rules: [
      alert(
        "MonitorSelectsNothing",
        "warning",
        `max by (scrape_job) (prometheus_target_scrape_pool_targets{job="${MONITOR_SCRAPER.name}", scrape_job=~"(serviceMonitor|podMonitor)/.+"}) == 0`,
        "15m",
        "{{ $labels.scrape_job }} selects no targets",
        "The ServiceMonitor or PodMonitor behind {{ $labels.scrape_job }} (kind/namespace/name/endpoint) matches no Service, Pod or port, so nothing of it is scraped. Compare its selector and port name with the labels and port names of what it should monitor.",
      ),
    ],
  };
}
