import { StackConfig } from "../../config";
import { RuleGroup } from "../common/prometheusTypes";
import { alertFactory, ratio } from "../common/alertFactory";

type Thresholds = StackConfig["metrics"]["alerts"];

const LIMITS_KEYS =
  "apps.services[].sampleLimit, metrics.extraScrapeConfigs[].sample_limit or metrics.scrapeLimits";

/**
 * Targets at or past their scrape limits (metrics.scrapeLimits), each named by job and instance.
 * Past a limit Prometheus refuses the whole scrape: `up` is 0 and no sample of the target is stored,
 * so the alerts that read it go blind, as for a target that is down. Only the scrape's own series
 * are still written, `scrape_samples_post_metric_relabeling` with what the target would have
 * stored, and `scrape_sample_limit` (--enable-feature=extra-scrape-metrics) with its limit.
 */
export function scrapeLimitRules(t: Thresholds, runbookBaseUrl: string): RuleGroup {
  const alert = alertFactory(runbookBaseUrl);
  return {
    name: "scrape-limits",
    rules: [
      alert(
        "ScrapeSamplesNearLimit",
        "warning",
        `scrape_samples_post_metric_relabeling / scrape_sample_limit > ${ratio(t.sampleLimitPercent)} <= 1`,
        // Series grow with releases and traffic, not within minutes: a rollout's overlap should not ticket.
        "30m",
        "{{ $labels.job }} at {{ $labels.instance }} nears its sample_limit",
        `{{ $labels.job }} at {{ $labels.instance }} has {{ $value | humanizePercentage }} of its sample_limit after metric relabelling; past the limit every scrape of it is refused. Drop series it does not need (metric_relabel_configs) or raise its limit (${LIMITS_KEYS}).`,
      ),
      alert(
        "ScrapeSampleLimitExceeded",
        "critical",
        // The most of the last 5 minutes: a target on the edge of its limit, refused at some scrapes
        // and not at others, loses samples while `up` never stays 0 for a target-down alert's `for`.
        "max_over_time(scrape_samples_post_metric_relabeling[5m]) / scrape_sample_limit > 1",
        "5m",
        "{{ $labels.job }} at {{ $labels.instance }} is past its sample_limit: its scrapes are refused",
        `{{ $labels.job }} at {{ $labels.instance }} exposed up to {{ $value | humanizePercentage }} of its sample_limit in 5 minutes after metric relabelling. Prometheus refuses such a scrape whole (up 0, prometheus_target_scrapes_exceeded_sample_limit_total): every series of the target is missing. Find the series that grew (the Stack health dashboard's series by metric), drop them or fix the exposition, or raise its limit (${LIMITS_KEYS}).`,
      ),
      alert(
        "ScrapeLabelLimitExceeded",
        "critical",
        // Prometheus counts label_limit refusals in one counter of its own, not per target: the
        // targets it refuses are those that answered with samples, within their sample_limit, and
        // are down.
        "(up == 0 and scrape_samples_scraped > 0 unless scrape_samples_post_metric_relabeling > scrape_sample_limit)" +
          " and on () increase(prometheus_target_scrape_pool_exceeded_label_limits_total[5m]) > 0",
        "5m",
        "{{ $labels.job }} at {{ $labels.instance }} has a series past its label_limit: its scrapes are refused",
        "{{ $labels.job }} at {{ $labels.instance }} answers, but Prometheus refuses its scrapes whole (up 0) while it counts scrapes with a series of more labels than label_limit allows: every series of the target is missing. Prometheus' Targets page names the series. Drop labels it does not need (metric_relabel_configs labeldrop) or raise its limit (apps.services[].labelLimit, metrics.extraScrapeConfigs[].label_limit or metrics.scrapeLimits.labelLimit).",
      ),
    ],
  };
}
