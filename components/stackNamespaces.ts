import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { REGISTRY_CREDENTIALS_SECRET } from "../config";
import { objectMeta } from "./common/metadata";
import { namespaceArgs } from "./common/namespace";
import { defaultDenyPolicy } from "./common/networkPolicy";
import { dataProtection } from "./common/statefulSet";
import { Flow } from "./common/flow";
import { dnsEgressPolicy } from "./common/flowPolicies";
import { withFormerType } from "./common/formerType";

export interface StackNamespacesArgs {
  /** Namespace of everything that needs no host access; enforces Pod Security `restricted`. */
  readonly observability: string;
  /** Namespace of the node agents that do; enforces `privileged`, warns and audits `restricted`. */
  readonly node: string;
  readonly profile: "kind" | "eks";
  /** Namespaces of the observed apps; the stack writes their tracing ConfigMap and Alloy's Roles there. */
  readonly apps: readonly string[];
  /**
   * Whether the stack creates the app namespaces; otherwise it reads each one, so a missing
   * namespace fails `pulumi preview` with its name before anything is written.
   */
  readonly createApps: boolean;
  /** The stack's wiring graph; each namespace gets the DNS egress it declares. */
  readonly wiring: readonly Flow[];
  /**
   * The demo's namespace, one of `apps` when `demo.enabled`: created like the stack's own
   * (restricted, default deny, DNS egress, pull Secret), as its pods are the stack's.
   */
  readonly demo?: string;
  /**
   * `images.registryCredentials`: made the pull Secret of both stack namespaces here, with the
   * namespaces, so that it exists before any pod that pulls with it.
   */
  readonly registryCredentials?: pulumi.Input<string>;
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

  constructor(name: string, args: StackNamespacesArgs, opts?: pulumi.ComponentResourceOptions) {
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
      const ns = new k8s.core.v1.Namespace(`${name}-${key}`, namespaceArgs(namespace, level, args.profile), {
        parent: this,
        ...(holdsData ? dataProtection(args.profile) : {}),
      });
      const children = { parent: this, dependsOn: [ns] };
      new k8s.networking.v1.NetworkPolicy(
        `${name}-${key}-default-deny`,
        defaultDenyPolicy(namespace),
        children,
      );
      new k8s.networking.v1.NetworkPolicy(
        `${name}-${key}-dns-egress`,
        dnsEgressPolicy(args.wiring, namespace),
        children,
      );
      if (args.registryCredentials !== undefined) {
        new k8s.core.v1.Secret(
          `${name}-${key}-registry-credentials`,
          {
            metadata: objectMeta({ name: REGISTRY_CREDENTIALS_SECRET, component: "images" }, namespace),
            type: "kubernetes.io/dockerconfigjson",
            stringData: { ".dockerconfigjson": args.registryCredentials },
          },
          children,
        );
      }
      return ns.metadata.name;
    };
    this.observability = create("observability", args.observability, "restricted", true);
    this.node = create("node", args.node, "privileged", false);
    this.apps = args.apps.map((namespace) =>
      namespace === args.demo
        ? create("demo", namespace, "restricted", false)
        : args.createApps
          ? new k8s.core.v1.Namespace(
              `${name}-app-${namespace}`,
              namespaceArgs(namespace, "baseline", args.profile),
              { parent: this },
            ).metadata.name
          : k8s.core.v1.Namespace.get(`${name}-app-${namespace}`, namespace, { parent: this }).metadata.name,
    );

    this.registerOutputs({ observability: this.observability, node: this.node, apps: this.apps });
  }
}
