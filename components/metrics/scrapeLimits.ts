import { StackConfig } from "../../config";
import { ScrapeConfig } from "../common/prometheusTypes";
import { KUBE_STATE_METRICS, PLATFORM_JOBS } from "./names";

type ScrapeLimits = StackConfig["metrics"]["scrapeLimits"];

/** The jobs of one target that speaks for the whole cluster: their size grows with its objects. */
const CLUSTER_WIDE_JOBS: readonly string[] = [KUBE_STATE_METRICS.name, PLATFORM_JOBS.apiserver];

/**
 * The job with `metrics.scrapeLimits` where it sets no limit of its own (an app with its own
 * limits, a team's job): every job Prometheus runs has both, so no target can fill it unchecked.
 */
export function withScrapeLimits(job: ScrapeConfig, limits: ScrapeLimits): ScrapeConfig {
  const sampleLimit = CLUSTER_WIDE_JOBS.includes(job.job_name)
    ? limits.clusterWideSampleLimit
    : limits.sampleLimit;
  return {
    ...job,
    sample_limit: job.sample_limit ?? sampleLimit,
    label_limit: job.label_limit ?? limits.labelLimit,
  };
}
