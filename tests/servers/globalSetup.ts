import { setUpTierTools } from "../kit/tools";

/** Marks every process of one component-test run (servers inherit it), so teardown finds only its own. */
export const TEST_RUN_VARIABLE = "OBSERVABILITY_COMPONENT_TEST_RUN";

/**
 * Builds (or finds in the cache) the binaries the server tests boot (tests/kit/tierTools.json):
 * the collector (OpenTelemetry Collector Builder, from tools/otelcol/manifest.yaml), Prometheus and
 * Alertmanager of the deployed versions, Alloy (the log agent and monitor scraper), the OTLP sink
 * that stands in for Tempo, Thanos, Sloth, OpenSLO's validator oslo and gofakes3, the S3-compatible
 * server that holds the metrics bucket. Loki is the in-process stand-in of tests/kit/lokiStandIn.ts: nothing to build.
 */
export default function globalSetup(): void {
  process.env[TEST_RUN_VARIABLE] = String(process.pid);
  setUpTierTools("servers");
}
