// Turning the metrics bucket on for a running stack keeps every sample: the update that turns it on
// keeps Prometheus' retention, so the new sidecars find every block the volume holds and upload it
// (the server test tests/servers/thanosHistory.test.ts watches them do it).
import { ConfigError } from "../../../config";
import {
  DEPLOYED_METRICS_HISTORY_OUTPUT,
  DeployedMetricsHistory,
  metricsHistoryProblems,
} from "../../../config/deployedMetricsHistory";
import { DEPLOYED_VOLUMES_OUTPUT } from "../../../config/deployedVolumes";
import { PROJECT_ROOT, RenderedStack, renderWithConfig } from "../../../render/renderStack";
import { readStackFile } from "../../../render/stackFile";
import { stackConfig } from "../../support/renderedStacks";
import { Json } from "../../kit/json";

/** The committed prod stack file with its metrics section edited: `without` drops the bucket. */
function prodMetrics(edit: (metrics: Json) => Json) {
  const { config, secretKeys } = readStackFile("prod", PROJECT_ROOT);
  const metrics = edit(JSON.parse(config["observability:metrics"]) as Json);
  return { config: { ...config, "observability:metrics": JSON.stringify(metrics) }, secretKeys };
}

/** A prod stack that has kept 30 days on its volumes (the month its SLO windows count), without the bucket. */
const withoutBucket = () =>
  prodMetrics((metrics) => {
    const without: Json = { ...metrics, retentionTime: "30d" };
    delete without.objectStorage;
    return without;
  });

describe("turning metrics.objectStorage on", () => {
  let running: RenderedStack;
  beforeAll(async () => {
    const { config, secretKeys } = withoutBucket();
    running = await renderWithConfig("prod", config, secretKeys);
  });

  test("the running stack records its retention and that nothing uploads yet", () => {
    expect(running.outputs[DEPLOYED_METRICS_HISTORY_OUTPUT]).toEqual({
      retentionTime: "30d",
      objectStorage: false,
    });
  });

  test("with the committed stack file's 2d in the same update: refused, naming metrics.retentionTime, before anything registers", async () => {
    const { config, secretKeys } = readStackFile("prod", PROJECT_ROOT);
    const attempt = renderWithConfig("prod", config, secretKeys, running.outputs);
    await expect(attempt).rejects.toThrow(ConfigError);
    await expect(attempt).rejects.toThrow(
      "observability:metrics.retentionTime cannot shorten from 30d to 2d in the update that turns on metrics.objectStorage",
    );
  });

  test("keeping 30d: accepted, and recorded for the update that shortens it", async () => {
    const { config, secretKeys } = prodMetrics((metrics) => ({ ...metrics, retentionTime: "30d" }));
    const turnedOn = await renderWithConfig("prod", config, secretKeys, running.outputs);
    expect(turnedOn.outputs[DEPLOYED_METRICS_HISTORY_OUTPUT]).toEqual({
      retentionTime: "30d",
      objectStorage: true,
    });
    const prometheus = turnedOn.objects.find(
      (o) => o.kind === "StatefulSet" && o.metadata.name === "prometheus",
    );
    expect(JSON.stringify(prometheus)).toContain("--storage.tsdb.retention.time=30d");
    // The update after it may shorten the retention: the sidecars have been uploading since.
    const on = turnedOn.outputs[DEPLOYED_METRICS_HISTORY_OUTPUT] as DeployedMetricsHistory;
    expect(metricsHistoryProblems(stackConfig("prod"), on, true)).toEqual([]);
  });

  test("from a stack an earlier release deployed, which recorded no retention: refused, saying to update once without it", async () => {
    const { config, secretKeys } = prodMetrics((metrics) => ({ ...metrics, retentionTime: "30d" }));
    const earlier = { [DEPLOYED_VOLUMES_OUTPUT]: running.outputs[DEPLOYED_VOLUMES_OUTPUT] };
    await expect(renderWithConfig("prod", config, secretKeys, earlier)).rejects.toThrow(
      "observability:metrics.objectStorage cannot be turned on in the update that upgrades this stack from an earlier release",
    );
  });

  test("a first deployment, or a longer retention, needs nothing kept", () => {
    const prod = stackConfig("prod");
    expect(metricsHistoryProblems(prod, undefined, false)).toEqual([]);
    expect(metricsHistoryProblems(prod, { retentionTime: "1d", objectStorage: false }, true)).toEqual([]);
  });
});
