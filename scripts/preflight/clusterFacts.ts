import * as k8s from "@kubernetes/client-node";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { StackConfig } from "../../config";
import { kubeconfigSource } from "../../config/kubeconfig";
import { eksCluster } from "./iamPolicies";
import { IrsaServiceAccount, ROLE_ARN_ANNOTATION } from "./irsa";

/**
 * What the preflight reads from a cluster, as plain data: the checks are pure functions of it, so
 * a recorded cluster and a live one are checked the same way.
 */
export interface ClusterFacts {
  readonly storageClasses: readonly {
    readonly name: string;
    readonly provisioner: string;
    readonly allowVolumeExpansion: boolean;
  }[];
  /** Names of the registered CSIDriver objects. */
  readonly csiDrivers: readonly string[];
  readonly ingressClasses: readonly { readonly name: string; readonly controller: string }[];
  /** Deployments of the AWS Load Balancer Controller, wherever it was installed. */
  readonly albControllers: readonly {
    readonly namespace: string;
    readonly name: string;
    readonly readyReplicas: number;
  }[];
  readonly daemonSets: readonly {
    readonly namespace: string;
    readonly name: string;
    readonly numberReady: number;
    readonly containers: readonly {
      readonly name: string;
      readonly image: string;
      readonly args: readonly string[];
    }[];
  }[];
  /** Which of KNOWN_CRDS the cluster serves. */
  readonly crds: readonly string[];
  readonly namespaces: readonly string[];
  /** The ServiceAccounts the stack will annotate with a role that exist already, with their role. */
  readonly existingAccounts: readonly (Omit<IrsaServiceAccount, "roleArn"> & { readonly roleArn?: string })[];
  /** The service-account token issuer (`/.well-known/openid-configuration`), when readable. */
  readonly oidcIssuer?: string;
}

/** CRDs whose presence tells which controllers are installed. */
export const KNOWN_CRDS = {
  /** Installed with the AWS Load Balancer Controller. */
  ingressClassParams: "ingressclassparams.elbv2.k8s.aws",
  /** Created by the VPC CNI's network policy controller: the agent enforces what it writes there. */
  policyEndpoints: "policyendpoints.networking.k8s.aws",
} as const;

/** The Helm chart's and the EKS docs' label on the controller's Deployment. */
export const ALB_CONTROLLER_SELECTOR = "app.kubernetes.io/name=aws-load-balancer-controller";

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

const isNotFound = (error: unknown): boolean =>
  error instanceof k8s.HttpError && (error.statusCode ?? error.response?.statusCode) === 404;

/** `read()`'s value, or undefined when the object does not exist. */
export async function ifExists<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (isNotFound(error)) {
      return undefined;
    }
    throw error;
  }
}

/** Reads what the checks need, and nothing else, from the cluster. */
export async function readClusterFacts(
  kubeConfig: k8s.KubeConfig,
  accounts: readonly Omit<IrsaServiceAccount, "roleArn">[],
): Promise<ClusterFacts> {
  const core = kubeConfig.makeApiClient(k8s.CoreV1Api);
  const apps = kubeConfig.makeApiClient(k8s.AppsV1Api);
  const storage = kubeConfig.makeApiClient(k8s.StorageV1Api);
  const networking = kubeConfig.makeApiClient(k8s.NetworkingV1Api);
  const extensions = kubeConfig.makeApiClient(k8s.ApiextensionsV1Api);
  const wellKnown = kubeConfig.makeApiClient(k8s.WellKnownApi);

  const [storageClasses, csiDrivers, ingressClasses, controllers, daemonSets, namespaces] = await Promise.all(
    [
      storage.listStorageClass(),
      storage.listCSIDriver(),
      networking.listIngressClass(),
      apps.listDeploymentForAllNamespaces(undefined, undefined, undefined, ALB_CONTROLLER_SELECTOR),
      apps.listDaemonSetForAllNamespaces(),
      core.listNamespace(),
    ],
  );
  const crds = await Promise.all(
    Object.values(KNOWN_CRDS).map(async (name) =>
      (await ifExists(() => extensions.readCustomResourceDefinition(name))) === undefined ? [] : [name],
    ),
  );
  const existing = await Promise.all(
    accounts.map(async (account) => {
      const found = await ifExists(() => core.readNamespacedServiceAccount(account.name, account.namespace));
      return found === undefined
        ? []
        : [{ ...account, roleArn: found.body.metadata?.annotations?.[ROLE_ARN_ANNOTATION] }];
    }),
  );
  // Served to any authenticated user on EKS (service account issuer discovery); optional elsewhere.
  const issuer = await wellKnown
    .getServiceAccountIssuerOpenIDConfiguration()
    // Typed as text, but the generated client parses the JSON already.
    .then(({ body }) => ((typeof body === "string" ? JSON.parse(body) : body) as { issuer?: string }).issuer)
    .catch(() => undefined);

  return {
    storageClasses: storageClasses.body.items.map((sc) => ({
      name: sc.metadata?.name ?? "",
      provisioner: sc.provisioner,
      allowVolumeExpansion: sc.allowVolumeExpansion ?? false,
    })),
    csiDrivers: csiDrivers.body.items.map((d) => d.metadata?.name ?? ""),
    ingressClasses: ingressClasses.body.items.map((ic) => ({
      name: ic.metadata?.name ?? "",
      controller: ic.spec?.controller ?? "",
    })),
    albControllers: controllers.body.items.map((d) => ({
      namespace: d.metadata?.namespace ?? "",
      name: d.metadata?.name ?? "",
      readyReplicas: d.status?.readyReplicas ?? 0,
    })),
    daemonSets: daemonSets.body.items.map((ds) => ({
      namespace: ds.metadata?.namespace ?? "",
      name: ds.metadata?.name ?? "",
      numberReady: ds.status?.numberReady ?? 0,
      containers: (ds.spec?.template.spec?.containers ?? []).map((c) => ({
        name: c.name,
        image: c.image ?? "",
        args: c.args ?? [],
      })),
    })),
    crds: crds.flat(),
    namespaces: namespaces.body.items.map((ns) => ns.metadata?.name ?? ""),
    existingAccounts: existing.flat(),
    ...(issuer === undefined ? {} : { oidcIssuer: issuer }),
  };
}
