import * as pulumi from "@pulumi/pulumi";
import { deployDemo } from "./demo/demoWorkloads";
import { DemoSettings } from "./demo/settings";
import { withFormerType } from "./common/formerType";

/** What the demo takes (see DemoSettings for each field, with its default). index.ts maps it. */
export type DemoStackArgs = DemoSettings;

/**
 * Three made-up services that call each other a few times a second, so that a new kind stack
 * has linked metrics, logs and traces before any app of the user's is deployed. Index.ts creates
 * it only when `demo.enabled`; the config refuses that on eks.
 */
export class DemoStack extends pulumi.ComponentResource {
  constructor(name: string, args: DemoStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:index:DemoStack", name, {}, withFormerType("observability:index:Demo", opts));
    deployDemo(name, args, { parent: this });
    this.registerOutputs({});
  }
}
