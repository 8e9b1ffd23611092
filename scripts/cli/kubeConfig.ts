import * as k8s from "@kubernetes/client-node";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { StackConfig } from "../../config";
import { kubeconfigSource } from "../../config/kubeconfig";
import { eksCluster } from "./eksCluster";

/** The files the usual lookup reads: each of $KUBECONFIG's, or ~/.kube/config. */
function defaultKubeconfigFiles(): string[] {
  const listed = (process.env.KUBECONFIG ?? "").split(path.delimiter).filter((file) => file !== "");
  return listed.length > 0 ? listed : [path.join(os.homedir(), ".kube", "config")];
}

/** How to get the stack's context into `file` (undefined: the default kubeconfig), for its profile. */
function contextFix(config: Pick<StackConfig, "cluster" | "profile">, file: string | undefined): string {
  const { kubeContext } = config.cluster;
  if (config.profile === "kind") {
    const name = kubeContext.startsWith("kind-") ? kubeContext.slice("kind-".length) : config.cluster.name;
    return (
      "npm run up (it creates the kind cluster and its context), or for a running cluster " +
      (file === undefined
        ? `kind export kubeconfig --name ${name}`
        : `kind get kubeconfig --name ${name} > ${file}`)
    );
  }
  const eks = eksCluster(config.cluster);
  return (
    `aws eks update-kubeconfig --name ${eks.name} --region ${eks.region}` +
    (kubeContext.startsWith("arn:") ? "" : ` --alias ${kubeContext}`) +
    (file === undefined ? "" : ` --kubeconfig ${file}`)
  );
}

/** The stack's context is not in the kubeconfig read: what is missing where, and how to get it. */
export class MissingContextError extends Error {
  constructor(
    readonly problem: string,
    readonly fix: string,
  ) {
    super(`${problem}. Fix: ${fix}`);
    this.name = "MissingContextError";
  }
}

/**
 * The kubeconfig the program's provider uses: `cluster.kubeconfig` (a path, or the file's
 * contents, as the provider accepts) or the usual lookup ($KUBECONFIG, ~/.kube/config), always
 * with `cluster.kubeContext`, never the current context. Without that context, one line names
 * the context, the kubeconfig read and how to get the context for the stack's profile.
 */
export function stackKubeConfig(config: Pick<StackConfig, "cluster" | "profile">): k8s.KubeConfig {
  const { cluster } = config;
  const kubeConfig = new k8s.KubeConfig();
  const source = cluster.kubeconfig === undefined ? undefined : kubeconfigSource(cluster.kubeconfig);
  // Contents are never echoed: a kubeconfig may hold a token.
  let where: string;
  let missing: string[] = [];
  if (source === undefined) {
    const files = defaultKubeconfigFiles();
    missing = files.filter((file) => !fs.existsSync(file));
    where = files.join(path.delimiter);
    // With no file, the client would make up a context of its own (loaded-context) to point at localhost.
    if (missing.length === 0) {
      kubeConfig.loadFromDefault();
    }
  } else if ("file" in source) {
    where = source.file;
    if (fs.existsSync(source.file)) {
      kubeConfig.loadFromFile(source.file);
    } else {
      missing = [source.file];
    }
  } else {
    kubeConfig.loadFromString(source.contents);
    where = "the kubeconfig given in cluster.kubeconfig";
  }
  if (kubeConfig.getContextObject(cluster.kubeContext) === null) {
    const known = kubeConfig.getContexts().map((c) => c.name);
    const read =
      missing.length > 0
        ? `${where} (${missing.join(path.delimiter) === where ? "no such file" : `there is no file ${missing.join(", ")}`})`
        : `${where} (it has: ${known.join(", ") || "none"})`;
    throw new MissingContextError(
      `cluster.kubeContext ${cluster.kubeContext} is not a context of ${read}`,
      contextFix(config, source !== undefined && "file" in source ? source.file : undefined),
    );
  }
  kubeConfig.setCurrentContext(cluster.kubeContext);
  return kubeConfig;
}
