// prod as the hub of several clusters sharing its metrics bucket: its store gateways serve every
// cluster's blocks, and Thanos Query also reads a staging cluster's two sidecars over mutual TLS.
import { PROJECT_ROOT, RenderedStack, renderWithConfig } from "../../render/renderStack";
import { readStackFile } from "../../render/stackFile";
import { Json } from "../kit/json";

/** The staging cluster's sidecars, as its load balancer publishes them. */
export const STAGING_STORES = [
  { address: "prometheus-0.thanos.staging.tiketi.example.com:443" },
  {
    address: "prometheus-1.thanos.staging.tiketi.example.com:443",
    serverName: "thanos.staging.tiketi.example.com",
  },
];

/** The committed prod stack file with `hub` set under metrics.objectStorage (its key a secret). */
export function hubConfig(tls: { ca: string; certificate: string; key: string }) {
  const { config, secretKeys } = readStackFile("prod", PROJECT_ROOT);
  const metrics = JSON.parse(config["observability:metrics"]) as Json;
  metrics.objectStorage = { ...metrics.objectStorage, hub: { stores: STAGING_STORES, tls } };
  return {
    config: { ...config, "observability:metrics": JSON.stringify(metrics) },
    secretKeys: [...secretKeys, "observability:metrics"],
  };
}

export function renderHub(tls: { ca: string; certificate: string; key: string }): Promise<RenderedStack> {
  const { config, secretKeys } = hubConfig(tls);
  return renderWithConfig("prod-hub", config, secretKeys);
}
