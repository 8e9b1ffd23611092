import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { REGISTRY_CREDENTIALS_SECRET } from "../config";
import { DEMO_NAMESPACE } from "../config/demo";
import { componentConfig } from "../config/componentArgs";
import { ConfigRead } from "../config/schema";
import { DemoSwitch, SectionArgs } from "./common/settings";
import { objectMeta } from "./common/metadata";
import { namespaceArgs } from "./common/namespace";
import { defaultDenyPolicy } from "./common/networkPolicy";
import { dataProtection } from "./common/statefulSet";
import { DNS_PORTS, Flow } from "./common/flow";
import { dnsEgressPolicy } from "./common/flowPolicies";
import { withFormerType } from "./common/formerType";

/** The stack-config sections StackNamespaces reads. */
const READS: readonly ConfigRead[] = ["profile", "namespaces", "apps", "images", "demo.enabled"];

/** `images.registryCredentials` alone: the pull Secret StackNamespaces creates in each namespace. */
export interface RegistryCredentialsArgs extends Pick<SectionArgs<"images">, "registryCredentials"> {}

/** What StackNamespaces takes: the stack config's namespaces and app namespaces. */
export interface StackNamespacesArgs {
  /** eks protects the namespace that holds the data volumes. @default "kind" */
  readonly profile?: SectionArgs<"profile">;
  /**
   * `observability`, for everything that needs no host access (Pod Security restricted), and
   * `node`, for the node agents that do (privileged; warns and audits restricted).
   */
  readonly namespaces?: SectionArgs<"namespaces">;
  /**
   * `namespaces` of the observed apps, and `createNamespaces`: whether it creates them, or reads
   * each one so that a missing namespace fails `pulumi preview` before anything is written.
   */
  readonly apps?: SectionArgs<"apps">;
  /** `registryCredentials`: made the pull Secret of both stack namespaces, before any pod pulls with it. */
  readonly images?: RegistryCredentialsArgs;
  /**
   * `enabled`: whether DemoStack runs, whose namespace is then created like the stack's own
   * (restricted, default deny, DNS egress, pull Secret), as its pods are the stack's.
   */
  readonly demo?: DemoSwitch;
  /**
   * Every flow of a deployment of several components (`wiringGraph`): each namespace gets the DNS
   * egress it declares. @default name resolution for every pod of the namespaces it closes
   */
  readonly wiring?: readonly Flow[];
}

/**
 * The stack's two namespaces, each closed by a default-deny NetworkPolicy that only lets pods
 * resolve DNS (and holding the mirror's pull Secret when the config gives its credentials); every
 * other flow is opened by the component that needs it. Also the app
 * namespaces, created or checked: every object of the stack lands in a namespace that exists.
 */
export class StackNamespaces extends pulumi.ComponentResource {
  /** Name of the restricted namespace, known once it exists. */
  public readonly observability: pulumi.Output<string>;
  /** Name of the node-agent namespace, known once it exists. */
  public readonly node: pulumi.Output<string>;
  /** Names of the app namespaces, known once each exists. */
  public readonly apps: pulumi.Output<string>[];

  constructor(name: string, args: StackNamespacesArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    const config = componentConfig(`StackNamespaces "${name}"`, args, READS);
    const closed = [
      config.namespaces.observability,
      config.namespaces.node,
      ...(config.demo.enabled ? [DEMO_NAMESPACE] : []),
    ];
    const wiring =
      args.wiring ??
      closed.map(
        (namespace): Flow => ({
          from: { kind: "namespace", namespace },
          to: { kind: "clusterDns" },
          ports: DNS_PORTS,
          why: "name resolution",
        }),
      );
    const credentials = config.images.registryCredentials;
    // The alias keeps the URNs of the namespaces (protected in prod) and their policies.
    super(
      "observability:index:StackNamespaces",
      name,
      {},
      withFormerType("observability:index:Namespaces", opts),
    );

    const create = (
      key: string,
      namespace: string,
      level: "restricted" | "privileged",
      holdsData: boolean,
    ) => {
      // Deleting a namespace deletes every claim in it: where the workloads' volumes are
      // protected, so is the namespace that holds them.
      const ns = new k8s.core.v1.Namespace(
        `${name}-${key}`,
        namespaceArgs(namespace, level, config.profile),
        {
          parent: this,
          ...(holdsData ? dataProtection(config.profile) : {}),
        },
      );
      const children = { parent: this, dependsOn: [ns] };
      new k8s.networking.v1.NetworkPolicy(
        `${name}-${key}-default-deny`,
        defaultDenyPolicy(namespace),
        children,
      );
      new k8s.networking.v1.NetworkPolicy(
        `${name}-${key}-dns-egress`,
        dnsEgressPolicy(wiring, namespace),
        children,
      );
      if (credentials !== undefined) {
        new k8s.core.v1.Secret(
          `${name}-${key}-registry-credentials`,
          {
            metadata: objectMeta({ name: REGISTRY_CREDENTIALS_SECRET, component: "images" }, namespace),
            type: "kubernetes.io/dockerconfigjson",
            stringData: { ".dockerconfigjson": credentials },
          },
          children,
        );
      }
      return ns.metadata.name;
    };
    this.observability = create("observability", config.namespaces.observability, "restricted", true);
    this.node = create("node", config.namespaces.node, "privileged", false);
    this.apps = config.apps.namespaces.map((namespace) =>
      config.demo.enabled && namespace === DEMO_NAMESPACE
        ? create("demo", namespace, "restricted", false)
        : config.apps.createNamespaces
          ? new k8s.core.v1.Namespace(
              `${name}-app-${namespace}`,
              namespaceArgs(namespace, "baseline", config.profile),
              { parent: this },
            ).metadata.name
          : k8s.core.v1.Namespace.get(`${name}-app-${namespace}`, namespace, { parent: this }).metadata.name,
    );

    this.registerOutputs({ observability: this.observability, node: this.node, apps: this.apps });
  }
}
