// Memory limits the Go runtimes could not live with (resources.<workload>.limits.memory): each
// problem names its key, and nothing is registered.
import main = require("../../../index");
import { ConfigError } from "../../../config";
import { parsePulumiConfig } from "../../../config/load";
import { PROJECT_ROOT, recordDeployment } from "../../../render/renderStack";
import { readStackFile } from "../../../render/stackFile";
import { StackName } from "../../kit/stacks";
import { configSetPath } from "../../kit/userEdits";
import { sleep } from "../../kit/sleep";
import { stackFileProblems } from "../../support/configProblems";

/** A committed stack file with `pulumi config set --path` edits applied. */
function edited(stack: StackName, edits: readonly (readonly [string, string])[]) {
  const { config, secretKeys } = readStackFile(stack, PROJECT_ROOT);
  return { config: edits.reduce((c, [path, value]) => configSetPath(c, path, value), config), secretKeys };
}

test.each<[string, StackName, [string, string], string]>([
  [
    "a limit too small for a Go runtime (kind)",
    "kind",
    ["resources.prometheus.limits.memory", "8Mi"],
    'observability:resources.prometheus.limits.memory must be at least 16Mi: the Go runtime gets a share of it as GOMEMLIMIT (got "8Mi")',
  ],
  [
    "a collector limit that would give its memory_limiter no room (prod)",
    "prod",
    ["resources.otelCollector.limits.memory", "1Mi"],
    'observability:resources.otelCollector.limits.memory must be at least 16Mi: the Go runtime gets a share of it as GOMEMLIMIT (got "1Mi")',
  ],
  [
    "a limit below the profile's request (prod aggregator requests 256Mi)",
    "prod",
    ["resources.otelCollectorAggregator.limits.memory", "128Mi"],
    'observability:resources.otelCollectorAggregator.limits.memory must be at least requests.memory (256Mi): Kubernetes refuses a limit below the request (got "128Mi")',
  ],
  [
    "a limit that is no quantity (reported once, as such)",
    "kind",
    ["resources.loki.limits.memory", "lots"],
    'observability:resources.loki.limits.memory must be a Kubernetes quantity such as 100m, 256Mi or 10Gi (got "lots")',
  ],
])("%s is refused, naming the key", (_title, stack, edit, problem) => {
  expect(stackFileProblems(edited(stack, [edit]))).toEqual([problem]);
});

test("a limit equal to the request, and the 16Mi floor itself, are accepted", () => {
  const { config, secretKeys } = edited("kind", [
    ["resources.prometheus.limits.memory", "192Mi"],
    ["resources.configReloader.requests.memory", "16Mi"],
    ["resources.configReloader.limits.memory", "16Mi"],
  ]);
  const parsed = parsePulumiConfig(config, secretKeys);
  expect([parsed.resources.prometheus.limits.memory, parsed.resources.configReloader.limits.memory]).toEqual([
    "192Mi",
    "16Mi",
  ]);
});

test("with both problems at once, both keys are named and nothing is registered", async () => {
  const { config } = edited("kind", [
    ["resources.alertmanager.limits.memory", "12Mi"],
    ["resources.grafana.limits.memory", "64Mi"],
  ]);
  const mocks = await recordDeployment("kind-bad-memory-limits", config);
  const run = main();
  await expect(run).rejects.toThrow(ConfigError);
  await expect(run).rejects.toThrow(
    "observability:resources.alertmanager.limits.memory must be at least 16Mi",
  );
  await expect(run).rejects.toThrow(
    "observability:resources.grafana.limits.memory must be at least requests.memory (128Mi)",
  );
  await sleep(50);
  expect(mocks.registrations).toEqual([]);
});
