import * as k8s from "@kubernetes/client-node";
import { ifExists } from "../cli/ifExists";
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
