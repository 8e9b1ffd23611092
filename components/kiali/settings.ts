import { StackConfig } from "../../config";
import { PlatformSettings } from "../common/settings";
import type { Flow } from "../common/flow";

/** The services Kiali reads, each an in-cluster URL. */
export interface KialiBackends {
  /** The Prometheus query endpoint the sidecars' and istiod's metrics are in. */
  readonly prometheus: {
    readonly url: string;
    /**
     * Thanos Query, which serves no `/api/v1/status/config`: Kiali takes retention and scrape
     * interval from here instead.
     */
    readonly thanos?: { readonly retention: string; readonly scrapeInterval: string };
  };
  /** Tempo's query API, for the traces of what Kiali shows. */
  readonly tempoUrl?: string;
  /** Grafana, inside the cluster and where people open it: Kiali's trace links open its Explore. */
  readonly grafana?: { readonly internalUrl: string; readonly publicUrl: string };
}

/** What KialiStack reads: its args, validated and defaulted. */
export interface KialiSettings extends PlatformSettings {
  /** The meshed namespaces and istiod's, which Kiali reads. */
  readonly mesh: StackConfig["mesh"];
  /** NodePort (kind) or Ingress (eks). */
  readonly exposure: StackConfig["exposure"];
  /**
   * The flows into and out of this component's workloads, which make their NetworkPolicies; a
   * workload no flow names is refused.
   */
  readonly wiring: readonly Flow[];
}
