// The rendered Thanos Ruler run here: its rule files from the render's ConfigMap, its flags as the
// Deployment gives them, with what it reaches (Thanos Query, the Prometheus replicas it writes to,
// the Alertmanagers it alerts) mapped to the processes a test runs on 127.0.0.1.
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { KubeObject } from "../../render/manifest";
import { Json } from "./json";
import { RunningThanos } from "./localServers";
import { Servers, freePort } from "./processes";
import { configMapData, containerArgs, containerEnv } from "./rendered";
import { tools } from "./tools";

/** The rendered ruler's rule files, by file name, parsed. */
export function rulerRuleFiles(objects: readonly KubeObject[]): Record<string, { groups: Json[] }> {
  return Object.fromEntries(
    Object.entries(configMapData(objects, "thanos-ruler-rules")).map(([file, text]) => [
      file,
      yaml.load(text) as { groups: Json[] },
    ]),
  );
}

/** The value of one of the rendered ruler's `--flag=value` arguments. */
function renderedFlag(objects: readonly KubeObject[], flag: string): string {
  const arg = containerArgs(objects, "thanos-ruler", {}).find((a) => a.startsWith(`${flag}=`));
  if (arg === undefined) throw new Error(`the rendered ruler has no ${flag}`);
  return arg.slice(flag.length + 1);
}

export interface RulerOptions {
  /** Its pod's name, which its replica label carries. */
  readonly pod: string;
  /** Where its rule files and write-ahead log go. */
  readonly dir: string;
  /** Thanos Query's HTTP base URL. */
  readonly query: string;
  /** The local remote-write URL of each rendered one (every Prometheus replica's). */
  readonly writes: (renderedUrl: string) => string;
  /** The local address of each rendered Alertmanager target, or undefined for one not run. */
  readonly alertmanagers: (renderedTarget: string) => string | undefined;
  /**
   * Each rule group as the test runs it: a cluster's intervals and `for` durations are waited out
   * in minutes, a test's in seconds. @default the render's
   */
  readonly group?: (group: Json) => Json;
}

/** The rendered ruler, on free 127.0.0.1 ports, as its pod `options.pod` would run. */
export async function startThanosRuler(
  servers: Servers,
  objects: readonly KubeObject[],
  options: RulerOptions,
): Promise<RunningThanos> {
  const rules = path.join(options.dir, "rules");
  fs.mkdirSync(rules, { recursive: true });
  for (const [file, { groups }] of Object.entries(rulerRuleFiles(objects))) {
    fs.writeFileSync(path.join(rules, file), yaml.dump({ groups: groups.map(options.group ?? ((g) => g)) }));
  }
  const writes = yaml.load(renderedFlag(objects, "--remote-write.config")) as { remote_write: Json[] };
  const alerting = yaml.load(renderedFlag(objects, "--alertmanagers.config")) as { alertmanagers: Json[] };
  const [http, grpc] = [await freePort(), await freePort()];
  const args = containerArgs(objects, "thanos-ruler", {
    "--http-address": `127.0.0.1:${http}`,
    "--grpc-address": `127.0.0.1:${grpc}`,
    "--data-dir": path.join(options.dir, "data"),
    "--rule-file": path.join(rules, "*.yaml"),
    "--query": new URL(options.query).host,
    "--remote-write.config": yaml.dump({
      remote_write: writes.remote_write.map((w) => ({ ...w, url: options.writes(w.url as string) })),
    }),
    "--alertmanagers.config": yaml.dump({
      alertmanagers: alerting.alertmanagers.map((a) => ({
        ...a,
        static_configs: (a.static_configs as string[]).flatMap((t) => options.alertmanagers(t) ?? []),
      })),
    }),
  }).map((arg) => arg.replace("$(POD_NAME)", options.pod));
  const base = `http://127.0.0.1:${http}`;
  const env = containerEnv(objects, "thanos-ruler");
  const server = await servers.start(tools.thanos(), args, `${base}/-/ready`, { env, timeoutMs: 60000 });
  return { base, server, grpc: `127.0.0.1:${grpc}`, env };
}
