import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../../config";
import { PROMETHEUS_PATHS } from "./names";
import { ScrapeConfig } from "../common/prometheusTypes";
import { TIER_LABEL } from "../common/scrapeJobs";

type ExtraScrapeConfig = StackConfig["metrics"]["extraScrapeConfigs"][number];

/** Keys of the scrape-credentials Secret: one file per job and kind, named after the job. */
const scrapeSecretKey = {
  password: (job: string) => `${job}.password`,
  credentials: (job: string) => `${job}.credentials`,
  ca: (job: string) => `${job}.ca.crt`,
} as const;

const secretFile = (key: string) => `${PROMETHEUS_PATHS.secretsDir}/${key}`;

/**
 * A team's job as Prometheus reads it: the fields as given, credentials and CA as files mounted
 * from the scrape-credentials Secret, the `ports` of its discovery left to the NetworkPolicy, and
 * `tier="app"` set last so no relabelling of the team's can drop it.
 */
export function extraScrapeJob(job: ExtraScrapeConfig): ScrapeConfig {
  const { basic_auth, authorization, tls_config, kubernetes_sd_configs, relabel_configs, ...plain } = job;
  const tls =
    tls_config === undefined
      ? undefined
      : {
          ...(tls_config.ca === undefined ? {} : { ca_file: secretFile(scrapeSecretKey.ca(job.job_name)) }),
          ...(tls_config.server_name === undefined ? {} : { server_name: tls_config.server_name }),
          ...(tls_config.insecure_skip_verify === undefined
            ? {}
            : { insecure_skip_verify: tls_config.insecure_skip_verify }),
        };
  return {
    ...plain,
    ...(basic_auth === undefined
      ? {}
      : {
          basic_auth: {
            username: basic_auth.username,
            password_file: secretFile(scrapeSecretKey.password(job.job_name)),
          },
        }),
    ...(authorization === undefined
      ? {}
      : {
          authorization: {
            ...(authorization.type === undefined ? {} : { type: authorization.type }),
            credentials_file: secretFile(scrapeSecretKey.credentials(job.job_name)),
          },
        }),
    ...(tls === undefined ? {} : { tls_config: tls }),
    ...(kubernetes_sd_configs === undefined
      ? {}
      : {
          kubernetes_sd_configs: kubernetes_sd_configs.map(({ role, namespaces }) => ({
            role,
            namespaces: { names: namespaces.names },
          })),
        }),
    relabel_configs: [...(relabel_configs ?? []), { target_label: TIER_LABEL, replacement: "app" }],
  };
}

/** The scrape-credentials Secret's data: every extra job's password, token and CA, still Pulumi secrets. */
export function scrapeCredentials(jobs: readonly ExtraScrapeConfig[]): Record<string, pulumi.Input<string>> {
  const files: (readonly [string, pulumi.Input<string>])[] = jobs.flatMap((job) => [
    ...(job.basic_auth === undefined
      ? []
      : [[scrapeSecretKey.password(job.job_name), job.basic_auth.password] as const]),
    ...(job.authorization === undefined
      ? []
      : [[scrapeSecretKey.credentials(job.job_name), job.authorization.credentials] as const]),
    ...(job.tls_config?.ca === undefined
      ? []
      : [[scrapeSecretKey.ca(job.job_name), job.tls_config.ca] as const]),
  ]);
  return Object.fromEntries(files);
}
