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

/** Adds (or replaces) context `name` with its cluster and user, and makes it current, as kind does. */
export function writeContext(name: string, server: string): void {
  const config = readKubeconfig();
  const without = <T extends { name: string }>(list: T[]) => list.filter((entry) => entry.name !== name);
  config.clusters = [...without(config.clusters), { name, cluster: { server } }];
  config.users = [...without(config.users), { name, user: { token: "stand-in" } }];
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
