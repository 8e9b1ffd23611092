// Each stack's rendered loki.yaml, key by key against Loki's configuration reference
// (tests/unit/logs/lokiConfigReference.ts), in place of Loki's own -verify-config, which is not run
// here (Loki is AGPL): every key is one Loki reads, every value of its type, every enum value one
// it takes. A misspelt key, a wrong type and a wrong enum value are refused, so the check can fail.
import * as yaml from "js-yaml";
import { STACKS } from "../../kit/stacks";
import { configMapData } from "../../kit/rendered";
import { rendered } from "../../support/renderedStacks";
import { lokiConfigProblems } from "./lokiConfigReference";

type Config = Record<string, Record<string, unknown>>;

const renderedLoki = async (stack: (typeof STACKS)[number]): Promise<Config> =>
  yaml.load(configMapData((await rendered(stack)).objects, "loki-config")["loki.yaml"]) as Config;

test.each(STACKS)(
  "the %s stack's loki.yaml has only keys and values Loki's reference documents",
  async (stack) => {
    expect(lokiConfigProblems(await renderedLoki(stack))).toEqual([]);
  },
);

test("a misspelt key, a value of the wrong type and a value outside an enum are refused, naming the key", async () => {
  const config = await renderedLoki("prod");
  const { retention_period: retention, ...limits } = config.limits_config;
  const broken: Config = {
    ...config,
    limits_config: { ...limits, retention_peroid: retention, max_line_size: "256KiB" },
    server: { ...config.server, log_level: "verbose", http_listen_port: "3100" },
    ruler: { ...config.ruler, storage: { type: "local-disk" } },
  };
  expect(lokiConfigProblems(broken).sort()).toEqual([
    'limits_config.max_line_size: "256KiB" is not a size',
    "limits_config.retention_peroid: not a key of Loki v3.7.6's configuration",
    'ruler.storage.type: "local-disk" is not one of configdb, azure, gcs, s3, swift, local, bos, cos',
    'server.http_listen_port: "3100" is not an int',
    'server.log_level: "verbose" is not one of debug, info, warn, error',
  ]);
});
