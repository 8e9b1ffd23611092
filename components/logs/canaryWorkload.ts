import * as pulumi from "@pulumi/pulumi";
import { LIVENESS_FAILURES, httpProbe } from "../common/probes";
import { deployWorkload } from "../common/workload";
import { workloadAddress } from "../common/workloadSpec";
import { LOKI, LOKI_CANARY } from "./names";
import { LogsSettings } from "./settings";

/** The pod's name, which its lines carry as the `pod` label: each canary reads back its own stream. */
export const CANARY_POD_VARIABLE = "POD_NAME";

/**
 * Only the canary's own lines (`<Unix nanoseconds> ppp…`): its container's stderr, where it logs
 * its queries and the entries it could not parse, reaches Loki in the same stream, and reading
 * those back would log them again.
 */
export const CANARY_LINE_FILTER = '|~ "^[0-9]+ p+"';

/**
 * How long a line may take before the canary counts it missing: longer than Alloy keeps retrying
 * a batch (500 ms doubling to 5 min, 10 tries: at least 8.5 minutes), so a line counts as missing
 * only once the agent has given up on it. Until then a late line is counted as late
 * (`loki_canary_websocket_missing_entries_total`: not seen on the tail within `-wait`).
 */
const MAX_WAIT = "10m";

/**
 * loki-canary's flags (cmd/loki-canary/main.go): it writes one line a second to stdout, for the
 * log agent to ship like any pod's, and tails and queries Loki through its Service for the lines
 * of its own pod (`pod` and `container` labels, as the agent sets them), with the tenant header
 * where multi-tenancy is on.
 */
export function lokiCanaryArgs(config: Pick<LogsSettings, "logs" | "namespaces">): string[] {
  return [
    `-addr=${workloadAddress(LOKI, config.namespaces.observability, "http")}`,
    `-port=${LOKI_CANARY.ports.http.port}`,
    "-labelname=pod",
    `-labelvalue=$(${CANARY_POD_VARIABLE})`,
    "-streamname=container",
    `-streamvalue=${LOKI_CANARY.name}`,
    `-query-append=${CANARY_LINE_FILTER}`,
    `-max-wait=${MAX_WAIT}`,
    ...(config.logs.tenant === undefined ? [] : [`-tenant-id=${config.logs.tenant}`]),
  ];
}

/**
 * One canary in the stack's namespace. The log agent collects it beside the apps' pods (its
 * discovery selects this pod by name label), so its lines take the apps' path into Loki.
 */
export function deployLokiCanary(
  name: string,
  config: LogsSettings,
  opts: pulumi.CustomResourceOptions,
): void {
  deployWorkload(
    name,
    {
      spec: LOKI_CANARY,
      component: "logs",
      image: config.images.lokiCanary,
      namespace: config.namespaces.observability,
      settings: config,
      placement: "lokiCanary",
      container: {
        name: LOKI_CANARY.name,
        args: lokiCanaryArgs(config),
        env: [{ name: CANARY_POD_VARIABLE, valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }],
        resources: config.resources.lokiCanary,
        livenessProbe: httpProbe("http", "/metrics", { failureThreshold: LIVENESS_FAILURES }),
        readinessProbe: httpProbe("http", "/metrics", { initialDelaySeconds: 2 }),
      },
      controller: { kind: "Deployment", replicas: 1 },
      services: [{}],
      wiring: config.wiring,
    },
    opts,
  );
}
