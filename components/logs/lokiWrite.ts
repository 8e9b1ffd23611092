import { AlloyBlock } from "../common/alloySyntax";
import { workloadUrl } from "../common/workloadSpec";
import { LOKI } from "./names";
import { LogsSettings } from "./settings";

/**
 * How every Alloy of LogsStack pushes to Loki: batches with bounded retries (backing off to 5
 * minutes, 10 tries), the cluster and env on every stream, the tenant where set.
 */
export function lokiWrite(config: LogsSettings): AlloyBlock {
  return {
    name: "loki.write",
    label: "default",
    attributes: {
      external_labels: { cluster: config.cluster.name, env: config.cluster.env },
    },
    blocks: [
      {
        name: "endpoint",
        attributes: {
          url: `${workloadUrl(LOKI, config.namespaces.observability, "http")}/loki/api/v1/push`,
          ...(config.logs.tenant === undefined ? {} : { tenant_id: config.logs.tenant }),
          batch_wait: "1s",
          batch_size: "1MiB",
          min_backoff_period: "500ms",
          max_backoff_period: "5m",
          max_backoff_retries: 10,
          retry_on_http_429: true,
        },
      },
    ],
  };
}
