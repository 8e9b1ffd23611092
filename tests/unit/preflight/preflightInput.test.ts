import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigError } from "../../../config";
import { parsePulumiConfig } from "../../../config/load";
import * as renderStack from "../../../render/renderStack";
import { PROJECT_ROOT } from "../../../render/renderStack";
import { readStackFile } from "../../../render/stackFile";
import { stackKubeConfig } from "../../../scripts/cli/kubeConfig";
import { exitCode } from "../../../scripts/cli/findings";
import { preflightPlan, runPreflight } from "../../../scripts/preflight/plan";

/** The prod stack file with one section replaced, as the CLI would have stored it. */
function prodWith(section: string, change: (value: Record<string, unknown>) => void) {
  const { config, secretKeys } = readStackFile("prod", PROJECT_ROOT);
  const key = `observability:${section}`;
  const value = JSON.parse(config[key]) as Record<string, unknown>;
  change(value);
  return { config: { ...config, [key]: JSON.stringify(value) }, secretKeys };
}

/** A kubeconfig with one context, `test`, whose server refuses connections. */
const KUBECONFIG = JSON.stringify({
  apiVersion: "v1",
  kind: "Config",
  clusters: [{ name: "test", cluster: { server: "https://127.0.0.1:1" } }],
  users: [{ name: "admin", user: { token: "not-a-real-token" } }],
  contexts: [{ name: "test", context: { cluster: "test", user: "admin" } }],
  "current-context": "test",
});

describe("the preflight reads the stack's config and context as the program does", () => {
  test("bad config is the program's ConfigError, naming the key, before anything is rendered or read", async () => {
    const { config, secretKeys } = prodWith("storage", (storage) => {
      storage.className = "GP3 volumes";
      storage.allowVolumeExpansion = "yes";
    });
    const render = jest.spyOn(renderStack, "renderWithConfig");
    const error = await preflightPlan("prod", config, secretKeys).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      "observability:storage.className must be a DNS-1123 label (lowercase letters, digits and '-', at most 63 characters) (got \"GP3 volumes\")",
      'observability:storage.allowVolumeExpansion must be true or false (got "yes")',
    ]);
    expect(render).not.toHaveBeenCalled();
    render.mockRestore();
  });

  test("an unknown cluster.kubeContext names the key and the contexts the kubeconfig has", () => {
    const { config, secretKeys } = prodWith("cluster", (cluster) => {
      cluster.kubeconfig = KUBECONFIG;
    });
    expect(() => stackKubeConfig(parsePulumiConfig(config, secretKeys))).toThrow(
      "cluster.kubeContext arn:aws:eks:ap-northeast-2:111111111111:cluster/tiketi-prod is not a context of " +
        "the kubeconfig given in cluster.kubeconfig (it has: test)",
    );
  });

  test("cluster.kubeconfig as a path or as the file's contents, as the provider takes it", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "preflight-")), "config");
    fs.writeFileSync(file, KUBECONFIG);
    for (const kubeconfig of [file, KUBECONFIG]) {
      const { config, secretKeys } = prodWith("cluster", (cluster) => {
        cluster.kubeconfig = kubeconfig;
        cluster.kubeContext = "test";
      });
      const kubeConfig = stackKubeConfig(parsePulumiConfig(config, secretKeys));
      expect(kubeConfig.getCurrentCluster()?.server).toBe("https://127.0.0.1:1");
    }
    fs.rmSync(path.dirname(file), { recursive: true });
  });

  test("a cluster that cannot be reached is one blocking finding naming the context: exit 1", async () => {
    const { config, secretKeys } = prodWith("cluster", (cluster) => {
      cluster.kubeconfig = KUBECONFIG;
      cluster.kubeContext = "test";
    });
    const { findings } = await runPreflight({ config: parsePulumiConfig(config, secretKeys), accounts: [] });
    expect(findings).toEqual([
      expect.objectContaining({
        status: "blocking",
        message: expect.stringMatching(/^cannot read the cluster through context test: .*ECONNREFUSED/),
      }),
    ]);
    expect(exitCode(findings)).toBe(1);
  });

  describe("without the stack's context: one line naming it, the kubeconfig read and the profile's fix", () => {
    const kubeconfigVariable = process.env.KUBECONFIG;
    afterEach(() => {
      if (kubeconfigVariable === undefined) {
        delete process.env.KUBECONFIG;
      } else {
        process.env.KUBECONFIG = kubeconfigVariable;
      }
    });

    test("kind with no kubeconfig at all: never a context the user did not have", async () => {
      const missing = path.join(os.tmpdir(), "no-such-kubeconfig");
      process.env.KUBECONFIG = missing;
      const { config, secretKeys } = readStackFile("kind", PROJECT_ROOT);
      const { findings } = await runPreflight({
        config: parsePulumiConfig(config, secretKeys),
        accounts: [],
      });
      expect(findings).toEqual([
        {
          status: "blocking",
          message: `cluster.kubeContext kind-observability is not a context of ${missing} (no such file)`,
          fix: "npm run up (it creates the kind cluster and its context), or for a running cluster kind export kubeconfig --name observability",
        },
      ]);
    });

    test("eks with a cluster.kubeconfig file that lacks the context", () => {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "preflight-")), "config");
      fs.writeFileSync(file, KUBECONFIG);
      const { config, secretKeys } = prodWith("cluster", (cluster) => {
        cluster.kubeconfig = file;
      });
      expect(() => stackKubeConfig(parsePulumiConfig(config, secretKeys))).toThrow(
        `cluster.kubeContext arn:aws:eks:ap-northeast-2:111111111111:cluster/tiketi-prod is not a context of ${file} (it has: test). ` +
          `Fix: aws eks update-kubeconfig --name tiketi-prod --region ap-northeast-2 --kubeconfig ${file}`,
      );
      fs.rmSync(path.dirname(file), { recursive: true });
    });
  });
});
