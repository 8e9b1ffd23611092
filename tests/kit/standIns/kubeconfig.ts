// The kubeconfig kind writes and kubectl reads: the first file of $KUBECONFIG, or ~/.kube/config.
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { home } from "./machine";

interface Named<T> {
  readonly name: string;
  readonly [key: string]: T | string;
}

export interface KubeConfigFile {
  apiVersion: "v1";
  kind: "Config";
  clusters: Named<unknown>[];
  contexts: Named<unknown>[];
  users: Named<unknown>[];
  "current-context": string;
}

const file = (): string => (process.env.KUBECONFIG ?? "").split(path.delimiter)[0] || home(".kube", "config");

export function readKubeconfig(): KubeConfigFile {
  const empty: KubeConfigFile = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [],
    contexts: [],
    users: [],
    "current-context": "",
  };
  return fs.existsSync(file())
    ? { ...empty, ...(yaml.load(fs.readFileSync(file(), "utf8")) as object) }
    : empty;
}

/** How a context reaches its API server: the kubeconfig's `cluster` and `user` entries. */
export interface Endpoint {
  readonly cluster: unknown;
  readonly user: unknown;
}

/** The endpoint of the current context of the kubeconfig at `file`. */
export function currentEndpoint(file: string): Endpoint {
  const config = yaml.load(fs.readFileSync(file, "utf8")) as KubeConfigFile;
  const context = config.contexts.find((c) => c.name === config["current-context"])?.context as
    | { cluster: string; user: string }
    | undefined;
  if (context === undefined) throw new Error(`${file} has no current context`);
  return {
    cluster: config.clusters.find((c) => c.name === context.cluster)?.cluster,
    user: config.users.find((u) => u.name === context.user)?.user,
  };
}

/** Adds (or replaces) context `name` with its cluster and user, and makes it current, as kind does. */
export function writeContext(name: string, endpoint: Endpoint): void {
  const config = readKubeconfig();
  const without = <T extends { name: string }>(list: T[]) => list.filter((entry) => entry.name !== name);
  config.clusters = [...without(config.clusters), { name, cluster: endpoint.cluster }];
  config.users = [...without(config.users), { name, user: endpoint.user }];
  config.contexts = [...without(config.contexts), { name, context: { cluster: name, user: name } }];
  config["current-context"] = name;
  fs.mkdirSync(path.dirname(file()), { recursive: true });
  fs.writeFileSync(file(), yaml.dump(config));
}

export function removeContext(name: string): void {
  const config = readKubeconfig();
  const without = <T extends { name: string }>(list: T[]) => list.filter((entry) => entry.name !== name);
  config.clusters = without(config.clusters);
  config.users = without(config.users);
  config.contexts = without(config.contexts);
  if (config["current-context"] === name) config["current-context"] = "";
  fs.writeFileSync(file(), yaml.dump(config));
}
