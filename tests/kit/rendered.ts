import * as yaml from "js-yaml";
import * as path from "path";
import { KubeObject } from "../../render/manifest";
import { Json } from "./json";

/** The data of a rendered ConfigMap, by name. */
export function configMapData(objects: readonly KubeObject[], name: string): Record<string, string> {
  const configMap = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === name);
  if (configMap === undefined) {
    throw new Error(`no ConfigMap ${name} was rendered`);
  }
  return configMap.data as Record<string, string>;
}

/** The ConfigMaps of rule files, by their evaluator: Thanos Ruler's is rendered where it runs. */
const RULE_CONFIG_MAPS = { prometheus: "prometheus-rules", thanosRuler: "thanos-ruler-rules" } as const;

/** Every rendered rule file, with what evaluates it. */
export function evaluatedRuleFiles(
  objects: readonly KubeObject[],
): { evaluator: keyof typeof RULE_CONFIG_MAPS; file: string; content: string }[] {
  return Object.entries(RULE_CONFIG_MAPS).flatMap(([evaluator, name]) =>
    objects.some((o) => o.kind === "ConfigMap" && o.metadata.name === name)
      ? Object.entries(configMapData(objects, name)).map(([file, content]) => ({
          evaluator: evaluator as keyof typeof RULE_CONFIG_MAPS,
          file,
          content,
        }))
      : [],
  );
}

/** The rendered prometheus.yml, parsed. */
export function prometheusYml(objects: readonly KubeObject[]): Json {
  return yaml.load(configMapData(objects, "prometheus-config")["prometheus.yml"]) as Json;
}

/** A rendered object by kind and name. */
export function objectNamed(
  objects: readonly KubeObject[],
  kind: string,
  name: string,
): KubeObject & Record<string, any> {
  const object = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (object === undefined) {
    throw new Error(`no ${kind} ${name} was rendered`);
  }
  return object as KubeObject & Record<string, any>;
}

/** A rendered workload's container (by default the one named like the workload). */
function renderedContainer(
  objects: readonly KubeObject[],
  name: string,
  containerName: string = name,
): Record<string, any> {
  const container = (
    workloadNamed(objects, name).spec.template.spec.containers as Record<string, any>[]
  ).find((c) => c.name === containerName);
  if (container === undefined) {
    throw new Error(`workload ${name} has no container ${containerName}`);
  }
  return container;
}

/**
 * The environment a rendered workload's container is given as literal values (GOMEMLIMIT among
 * them), for starting its binary here as the pod would; values the kubelet fills in from the pod
 * (`valueFrom`) exist only in a cluster and are left out.
 */
export function containerEnv(
  objects: readonly KubeObject[],
  name: string,
  containerName: string = name,
): Record<string, string> {
  const env = (renderedContainer(objects, name, containerName).env ?? []) as Record<string, any>[];
  return Object.fromEntries(env.filter((e) => typeof e.value === "string").map((e) => [e.name, e.value]));
}

/** The args of a rendered workload's container, with flag values replaced where given. */
export function containerArgs(
  objects: readonly KubeObject[],
  name: string,
  overrides: Record<string, string>,
  containerName: string = name,
): string[] {
  return (renderedContainer(objects, name, containerName).args as string[]).map((arg) => {
    const flag = arg.split("=")[0];
    return flag in overrides ? `${flag}=${overrides[flag]}` : arg;
  });
}

/**
 * The rendered Prometheus container's flags, run on this machine: config and data in `directory`
 * (its `prometheus.yml`, `data/`), listening on 127.0.0.1:`port`; it compares its config files
 * with what it loaded every second rather than the rendered interval, so a test that edits them
 * waits a second for the reload (`reloadPrometheusConfig`).
 */
export function localPrometheusArgs(
  objects: readonly KubeObject[],
  directory: string,
  port: number,
): string[] {
  return containerArgs(objects, "prometheus", {
    "--config.file": path.join(directory, "prometheus.yml"),
    "--storage.tsdb.path": path.join(directory, "data"),
    "--web.listen-address": `127.0.0.1:${port}`,
    "--config.auto-reload-interval": "1s",
  });
}

/** A rendered Deployment, StatefulSet or DaemonSet by name. */
export function workloadNamed(
  objects: readonly KubeObject[],
  name: string,
): KubeObject & Record<string, any> {
  const object = objects.find(
    (o) => ["StatefulSet", "Deployment", "DaemonSet"].includes(o.kind) && o.metadata.name === name,
  );
  if (object === undefined) {
    throw new Error(`no workload ${name} was rendered`);
  }
  return object as KubeObject & Record<string, any>;
}
