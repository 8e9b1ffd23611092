import { z } from "zod";
import {
  Identity,
  dnsLabel,
  duration,
  named,
  objective,
  port,
  positiveSeconds,
  reportDuplicates,
  scrapeLimit,
  strict,
} from "../fields";

const sloOverride = strict({
  availability: objective
    .optional()
    .describe("This service's availability objective, over metrics.slo.availability."),
  latencyThresholdSeconds: positiveSeconds
    .optional()
    .describe(
      "This service's latency threshold, over metrics.slo.latencyThresholdSeconds; one of tracing.latencyBucketsSeconds.",
    ),
});

const appService = strict({
  name: dnsLabel.describe("The Service's name: the `service` label of its metrics."),
  namespace: dnsLabel.optional().describe("Where the Service runs; the first of apps.namespaces when unset."),
  port: port.describe("The port its metrics are scraped on."),
  metricsPath: z
    .string()
    .startsWith("/", "must start with '/'")
    .optional()
    .describe("Its metrics path; apps.defaults.metricsPath when unset."),
  scrapeInterval: duration
    .optional()
    .describe("Its scrape interval; apps.defaults.scrapeInterval when unset."),
  sampleLimit: scrapeLimit
    .optional()
    .describe(
      "Samples each of its pods may expose after relabelling; metrics.scrapeLimits.sampleLimit when unset. A service with its own limits has a scrape job of its own.",
    ),
  labelLimit: scrapeLimit
    .optional()
    .describe("Labels each of its series may have; metrics.scrapeLimits.labelLimit when unset."),
  slo: sloOverride.optional().describe("Objectives of this service over metrics.slo."),
});

/** A service of `apps.services`: scraped, with RED and SLO rules and dashboards of its own. */
export interface AppService extends Identity<z.input<typeof appService>> {}

const apps = strict({
  namespaces: z
    .array(dnsLabel)
    .describe(
      "Namespaces the apps run in: scraped, their logs collected, the tracing ConfigMap published there.",
    ),
  createNamespaces: z
    .boolean()
    .describe(
      "true: the stack creates apps.namespaces (Pod Security baseline, warn/audit restricted); false: they must exist, and a missing one fails the preview by name.",
    ),
  defaults: strict({
    metricsPath: z
      .string()
      .startsWith("/", "must start with '/'")
      .describe("Metrics path of services that set none."),
    scrapeInterval: duration.describe("Scrape interval of services that set none."),
  }),
  services: z
    .array(named<AppService>()(appService))
    .describe("The services to scrape, each with RED and SLO rules and dashboards."),
}).superRefine((value, ctx) => {
  reportDuplicates([...value.namespaces.entries()], ["namespaces"], ctx);
  reportDuplicates(
    value.services.map((s, i) => [i, `${s.namespace ?? value.namespaces[0]}/${s.name}`] as const),
    ["services"],
    ctx,
  );
  if (value.namespaces.length === 0 && value.services.length > 0) {
    ctx.addIssue({
      code: "custom",
      path: ["namespaces"],
      message: "must list at least one namespace when services are configured",
    });
  }
  value.services.forEach((service, i) => {
    if (
      value.namespaces.length > 0 &&
      service.namespace !== undefined &&
      !value.namespaces.includes(service.namespace)
    ) {
      ctx.addIssue({
        code: "custom",
        path: ["services", i, "namespace"],
        message: `must be one of apps.namespaces: ${value.namespaces.join(", ")}`,
      });
    }
  });
});

const appsSectionSchema = apps.describe("The applications the stack observes.");

/** The schema of the `apps` section, by name (see Identity). */
export interface AppsSectionSchema extends Identity<typeof appsSectionSchema> {}
export const appsSection: AppsSectionSchema = appsSectionSchema;
