import * as pulumi from "@pulumi/pulumi";
import { componentConfig } from "../config/componentArgs";
import { ConfigRead } from "../config/schema";
import { Endpoint, Flow, SpanReceiver, dnsFlows, workload } from "./common/flow";
import { withFormerType } from "./common/formerType";
import { SectionArgs } from "./common/settings";
import { demoFlows } from "./demo/flows";
import { deployDemo } from "./demo/demoWorkloads";
import { DEMO_NAMESPACE, DEMO_SERVICES } from "./demo/names";
import { DemoSettings } from "./demo/settings";

/** The stack-config sections DemoStack reads. */
const READS: readonly ConfigRead[] = ["profile", "cluster", "images", "demo"];

/** What DemoStack takes: the stack config's `demo` and `images`, and the TracingStack it sends spans to. */
export interface DemoStackArgs {
  /** `kind` only: the demo is made-up traffic for a laptop cluster. @default "kind" */
  readonly profile?: SectionArgs<"profile">;
  /** The image supply: a mirror and pull Secrets for the demo's Node.js image. */
  readonly images?: SectionArgs<"images">;
  /** `rolloutTimeoutMinutes`: how long an up waits for each demo service to become ready. */
  readonly cluster?: SectionArgs<"cluster">;
  /** The demo's Node.js image and each container's resources (`enabled` is implied). */
  readonly demo?: Omit<SectionArgs<"demo">, "enabled">;
  /**
   * The TracingStack its services send spans to: the ConfigMap it writes into the demo's namespace
   * (`TracingStack.appConfigMap`) and its collector (`TracingStack.collector`).
   */
  readonly tracing: { readonly appConfigMap: string; readonly collector: SpanReceiver };
  /** The Prometheus pods that scrape its services. @default none */
  readonly scraper?: Endpoint;
  /**
   * Every flow of a deployment of several components (`wiringGraph`): its workloads' NetworkPolicies
   * are made of those into and out of them.
   * @default its own: the calls between its services, their spans, DNS and `scraper`
   */
  readonly wiring?: readonly Flow[];
}

/**
 * Three made-up services that call each other a few times a second, in the namespace
 * `DemoStack.namespace` (which must exist: StackNamespaces creates it when given it), so that a new
 * kind stack has linked metrics, logs and traces before any app of the user's is deployed. They are
 * apps like any other: `DemoStack.apps` lists them for the other components.
 */
export class DemoStack extends pulumi.ComponentResource {
  /** The namespace the demo runs in. */
  static readonly namespace = DEMO_NAMESPACE;

  constructor(name: string, args: DemoStackArgs, opts?: pulumi.ComponentResourceOptions) {
    const config = componentConfig(
      `DemoStack "${name}"`,
      { ...args, demo: { ...args.demo, enabled: true } },
      READS,
    );
    const peers = {
      collector: args.tracing.collector,
      ...(args.scraper === undefined ? {} : { scraper: args.scraper }),
    };
    const settings: DemoSettings = {
      images: config.images,
      cluster: config.cluster,
      demo: config.demo,
      tracingConfigMap: args.tracing.appConfigMap,
      wiring: args.wiring ?? [
        ...demoFlows(config, peers),
        ...dnsFlows(DEMO_SERVICES.map((s) => workload(DEMO_NAMESPACE, s.name))),
      ],
    };
    super("observability:index:DemoStack", name, {}, withFormerType("observability:index:Demo", opts));
    deployDemo(name, settings, { parent: this });
    this.registerOutputs({});
  }
}
