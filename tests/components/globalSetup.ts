import { toolDirectory } from "../../testkit/tools";

/** Marks every process of one component-test run (servers inherit it), so teardown finds only its own. */
export const TEST_RUN_VARIABLE = "OBSERVABILITY_COMPONENT_TEST_RUN";

/**
 * Builds (or finds in the cache) the binaries the component tests boot: Loki, the collector
 * (OpenTelemetry Collector Builder, from tools/otelcol/manifest.yaml), Prometheus and
 * Alertmanager of the deployed versions, Alloy (the log agent and monitor scraper), the OTLP sink that stands in for
 * Tempo (which the module proxy here does not serve).
 */
export default function globalSetup(): void {
  process.env[TEST_RUN_VARIABLE] = String(process.pid);
  process.env.LOKI_DIR = toolDirectory("loki");
  process.env.OTELCOL_DIR = toolDirectory("otelcol");
  process.env.PROMETHEUS_DIR = toolDirectory("prometheus");
  process.env.ALERTMANAGER_DIR = toolDirectory("alertmanager");
  process.env.ALLOY_DIR = toolDirectory("alloy");
  process.env.OTLP_SINK_DIR = toolDirectory("otlp-sink");
}
