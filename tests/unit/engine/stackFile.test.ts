// The engine tier's copy of a stack file (tests/kit/engine/stackFile.ts) holds a test value for each
// encrypted one: the program must accept those values as a user's decrypted secrets.
import { parsePulumiConfig, secretFormatProblems } from "../../../config/load";
import { stackFileOf } from "../../kit/engine/stackFile";
import { Json } from "../../kit/json";
import { extendedConfig } from "../../support/extendedStack";

/** The config with `value` at each path (`observability:a.b[0].c`), as `pulumi config set --path` writes it. */
function withValues(
  config: Readonly<Record<string, string>>,
  values: Readonly<Record<string, string>>,
): Record<string, string> {
  const result: Record<string, string> = { ...config };
  for (const [path, value] of Object.entries(values)) {
    const [key, ...steps] = path.split(/\.|(?=\[)/);
    if (steps.length === 0) {
      result[key] = value;
      continue;
    }
    const root = JSON.parse(result[key]) as Json;
    const segments = steps.map((s) => (s.startsWith("[") ? Number(s.slice(1, -1)) : s));
    let node = root;
    for (const segment of segments.slice(0, -1)) node = node[segment];
    node[segments[segments.length - 1]] = value;
    result[key] = JSON.stringify(root);
  }
  return result;
}

test("the extended stack's secrets get values of their formats (webhook URLs, a PagerDuty key), which the program accepts", async () => {
  const { config, secretKeys } = extendedConfig("kind");
  const { secrets = {} } = stackFileOf(config, secretKeys);
  expect(Object.keys(secrets)).toEqual(
    expect.arrayContaining([
      "observability:alerting.receivers[0].pagerduty[0].routingKey",
      "observability:alerting.receivers[0].slack[0].webhookUrl",
      "observability:alerting.receivers[3].webhook[0].url",
      "observability:grafana.sso.clientSecret",
    ]),
  );
  const problems = (values: Readonly<Record<string, string>>) =>
    secretFormatProblems(parsePulumiConfig(withValues(config, values), secretKeys));
  expect(await problems(secrets)).toEqual([]);
  // One value for every secret, as the engine's copy had before, is refused where a format applies.
  const same = Object.fromEntries(Object.keys(secrets).map((path) => [path, "one-test-secret"]));
  expect((await problems(same)).map((p) => p.split(" ")[0]).sort()).toEqual([
    "observability:alerting.receivers[0].pagerduty[0].routingKey",
    "observability:alerting.receivers[0].slack[0].webhookUrl",
    "observability:alerting.receivers[0].slack[1].webhookUrl",
    "observability:alerting.receivers[1].msteams[0].webhookUrl",
    "observability:alerting.receivers[3].webhook[0].url",
  ]);
});
