// `npm run verify -- <stack> [--wait <seconds>]`: after `up`, checks the running stack end to end
// and prints one line per check, each failure with its fix: workloads ready, Prometheus targets up,
// the Alertmanager cluster whole, the Watchdog alert delivered, Loki ready and receiving, the Loki
// canary's lines coming back with none missing, the collector receiving and exporting, Tempo
// ready, Grafana's datasources healthy and dashboards provisioned. It reaches the services through the kind NodePorts or port-forwards through the
// stack's own kube context. It changes no object; it sends one probe span (service
// observability-verify) through the collector. Exits 0 only when nothing is blocking.
import * as k8s from "@kubernetes/client-node";
import { parsePulumiConfig } from "../config/load";
import { PROJECT_ROOT, renderWithConfig } from "../render/renderStack";
import { readStackFile } from "../render/stackFile";
import { exitWith } from "./cli/exitWith";
import { exitCode } from "./cli/findings";
import { stackKubeConfig } from "./cli/kubeConfig";
import { verifyChecks } from "./verify/checkList";
import { runChecks } from "./verify/checks";
import { stackEndpoints } from "./verify/endpoints";
import { verifyExpectations } from "./verify/expectations";
import { DEFAULT_WAIT_SECONDS, verifyHeader, verifyReport } from "./verify/report";
import { endQuietlyWhenPipeCloses } from "./closedPipe";

endQuietlyWhenPipeCloses();

const USAGE = "usage: npm run verify -- <stack> [--wait <seconds>]   (reads Pulumi.<stack>.yaml)";

function parseArgs(args: readonly string[]): { stack: string; waitSeconds: number } {
  const [stack, ...flags] = args;
  if (stack === undefined || stack.startsWith("-")) {
    throw new Error(USAGE);
  }
  if (flags.length === 0) {
    return { stack, waitSeconds: DEFAULT_WAIT_SECONDS };
  }
  const waitSeconds = Number(flags[1]);
  if (flags.length !== 2 || flags[0] !== "--wait" || !Number.isInteger(waitSeconds) || waitSeconds < 0) {
    throw new Error(USAGE);
  }
  return { stack, waitSeconds };
}

async function run(): Promise<number> {
  const { stack, waitSeconds } = parseArgs(process.argv.slice(2));
  const { config: raw, secretKeys } = readStackFile(stack, PROJECT_ROOT);
  const config = parsePulumiConfig(raw, secretKeys);
  const { objects } = await renderWithConfig(stack, { ...raw }, secretKeys);
  const expected = verifyExpectations(config, objects);
  const kubeConfig = stackKubeConfig(config);
  const core = kubeConfig.makeApiClient(k8s.CoreV1Api);
  const endpoints = stackEndpoints(kubeConfig, expected.endpoints);
  process.stdout.write(`${verifyHeader(stack, config, waitSeconds)}\n`);
  try {
    const findings = await runChecks(
      verifyChecks({
        stack,
        namespace: config.namespaces.observability,
        expected,
        endpoints,
        kubeConfig,
        runningAppPods: async () => {
          const counts = await Promise.all(
            expected.logs.namespaces.map(async (ns) => {
              const { body } = await core.listNamespacedPod(
                ns,
                undefined,
                undefined,
                undefined,
                "status.phase=Running",
              );
              return body.items.length;
            }),
          );
          return counts.reduce((a, b) => a + b, 0);
        },
        grafanaPassword: async () => {
          const { namespace, name, key } = expected.grafana.secret;
          const { body } = await core.readNamespacedSecret(name, namespace);
          const value = body.data?.[key];
          if (value === undefined) {
            throw new Error(`Secret ${namespace}/${name} has no key ${key}`);
          }
          return Buffer.from(value, "base64").toString("utf8");
        },
      }),
      { deadline: Date.now() + waitSeconds * 1000, progress: (line) => process.stderr.write(`${line}\n`) },
    );
    process.stdout.write(`${verifyReport(findings, stack).join("\n")}\n`);
    return exitCode(findings);
  } finally {
    await endpoints.close();
  }
}

exitWith(run);
