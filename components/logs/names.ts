import { workloadSpec } from "../common/workloadSpec";

// Names, ports and paths of the logs workloads: one source for containers, Services, configs and wiring.
/** Replicas gossip the ring on `memberlist` (Loki's memberlist runs over TCP only). */
export const LOKI = workloadSpec("loki", {
  http: { port: 3100, scrape: true },
  grpc: { port: 9096 },
  memberlist: { port: 7946, containerOnly: true },
});
export const LOKI_PATHS = {
  config: "/etc/loki/config",
  /** Where replicas read their config once the zone reader has written their node's zone into it. */
  zonedConfig: "/etc/loki/zoned",
  rules: "/etc/loki/rules",
  data: "/loki",
} as const;

/** The headless Service through which replicas find each other, ready or not, to join the ring. */
export const LOKI_MEMBERLIST_SERVICE = "loki-memberlist";

/** Loki's canary: writes known lines to its stdout and reads them back from Loki; metrics on `http`. */
export const LOKI_CANARY = workloadSpec("loki-canary", { http: { port: 3500, scrape: true } });

export const ALLOY = workloadSpec("alloy", { http: { port: 12345, scrape: true } });

/** The cluster's one reader of Kubernetes events, which it ships to Loki as log lines. */
export const EVENT_COLLECTOR = workloadSpec("event-collector", { http: { port: 12345, scrape: true } });

/** The tenant Loki files logs under when multi-tenancy is off. */
export const SINGLE_TENANT = "fake";
