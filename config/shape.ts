import { PLACED_WORKLOADS, PlacedWorkloadName } from "./components";
import { DEMO_SLOS, appsWithDemo } from "./demo";
import { ValidStackConfig } from "./schema";
import { SloSpec } from "./slo/sloSpec";

type PlacementConfig = ValidStackConfig["placement"];
type PlacementSpec = PlacementConfig["default"];

/**
 * The one step from the config as validated to the config the components read: the demo added to
 * `apps` and its business SLOs to `metrics.slos` (when enabled), each service's namespace, metrics path, scrape interval, scrape limits and objectives
 * resolved over their defaults, the SLOs of `metrics.openSloFiles` and `metrics.slothFiles` (over
 * `metrics.slothWindow`) added to `metrics.slos`, and each
 * workload's placement merged over `placement.default`.
 */
export function shapeStackConfig(valid: ValidStackConfig) {
  // The demo is an app like any other, so that it exercises the path real apps take.
  const { apps, placement, ...rest } = valid.demo.enabled
    ? { ...valid, apps: appsWithDemo(valid.apps) }
    : valid;
  const { openSloFiles, slothFiles, slothWindow, ...metrics } = rest.metrics;
  // An SLO is an SLO whether the stack file, an OpenSLO document, a Sloth spec or the demo states it.
  const slos: readonly SloSpec[] = [
    ...metrics.slos,
    ...openSloFiles.flat(),
    ...slothFiles.flat().map((slo) => (slothWindow === undefined ? slo : { ...slo, window: slothWindow })),
    ...(valid.demo.enabled ? DEMO_SLOS : []),
  ];
  return {
    ...rest,
    metrics: { ...metrics, slos },
    placement: Object.fromEntries(PLACED_WORKLOADS.map((w) => [w, placementOf(placement, w)])) as Record<
      PlacedWorkloadName,
      PlacementSpec
    >,
    apps: {
      namespaces: apps.namespaces,
      createNamespaces: apps.createNamespaces,
      services: apps.services.map((service) => ({
        name: service.name,
        namespace: service.namespace ?? apps.namespaces[0],
        port: service.port,
        metricsPath: service.metricsPath ?? apps.defaults.metricsPath,
        scrapeInterval: service.scrapeInterval ?? apps.defaults.scrapeInterval,
        sampleLimit: service.sampleLimit ?? rest.metrics.scrapeLimits.sampleLimit,
        labelLimit: service.labelLimit ?? rest.metrics.scrapeLimits.labelLimit,
        slo: {
          availability: service.slo?.availability ?? rest.metrics.slo.availability,
          latencyObjective: rest.metrics.slo.latencyObjective,
          latencyThresholdSeconds:
            service.slo?.latencyThresholdSeconds ?? rest.metrics.slo.latencyThresholdSeconds,
        },
      })),
    },
  };
}

/** The stack config as shaped: what StackConfig freezes and types. */
export type ParsedStackConfig = ReturnType<typeof shapeStackConfig>;

/**
 * A workload's own placement over the default: node selector labels merge (the workload's win);
 * tolerations, priorityClassName and each of nodeAffinity, podAffinity and podAntiAffinity are
 * the workload's when it sets them, the default's otherwise.
 */
function placementOf(all: PlacementConfig, workload: PlacedWorkloadName): PlacementSpec {
  const base = all.default;
  const own = all[workload] ?? {};
  const nodeSelector = { ...base.nodeSelector, ...own.nodeSelector };
  const affinity = { ...base.affinity, ...own.affinity };
  const tolerations = own.tolerations ?? base.tolerations;
  const priorityClassName = own.priorityClassName ?? base.priorityClassName;
  return {
    ...(Object.keys(nodeSelector).length === 0 ? {} : { nodeSelector }),
    ...(tolerations === undefined ? {} : { tolerations }),
    ...(Object.keys(affinity).length === 0 ? {} : { affinity }),
    ...(priorityClassName === undefined ? {} : { priorityClassName }),
  };
}
