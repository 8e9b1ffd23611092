import { StackConfig } from "../../config";

/**
 * Whether the collector runs as two tiers: a gateway that receives spans and routes each trace by
 * its ID to one aggregator, where span metrics, the service graph and tail sampling see every span
 * of the trace. Needed as soon as tail sampling is on or the gateway has more than one replica.
 */
export function collectorTiered(tracing: StackConfig["tracing"]): boolean {
  return tracing.tailSampling.enabled || tracing.collectorReplicas > 1;
}
