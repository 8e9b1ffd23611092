import * as path from "path";
import { KubeObject } from "../../render/manifest";

/** The data of a rendered ConfigMap, by name. */
export function configMapData(objects: readonly KubeObject[], name: string): Record<string, string> {
  const configMap = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === name);
  if (configMap === undefined) {
    throw new Error(`no ConfigMap ${name} was rendered`);
  }
  return configMap.data as Record<string, string>;
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

/** The args of a rendered workload's container, with flag values replaced where given. */
export function containerArgs(
  objects: readonly KubeObject[],
  name: string,
  overrides: Record<string, string>,
): string[] {
  const workload = objects.find(
    (o) => ["StatefulSet", "Deployment", "DaemonSet"].includes(o.kind) && o.metadata.name === name,
  ) as (KubeObject & Record<string, any>) | undefined;
  if (workload === undefined) {
    throw new Error(`no workload ${name} was rendered`);
  }
  const container = workload.spec.template.spec.containers.find((c: Record<string, any>) => c.name === name);
  return (container.args as string[]).map((arg) => {
    const flag = arg.split("=")[0];
    return flag in overrides ? `${flag}=${overrides[flag]}` : arg;
  });
}

/**
 * The rendered Prometheus container's flags, run on this machine: config and data in `directory`
 * (its `prometheus.yml`, `data/`), listening on 127.0.0.1:`port`.
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
  });
}
