// The components the package's provider serves to programs in other languages, each by its class
// in the package's entry point (lib.ts) and its resource type `observability:index:<class>`.
import type * as pulumi from "@pulumi/pulumi";
import { DemoStack } from "../components/demoStack";
import { GrafanaStack } from "../components/grafanaStack";
import { KialiStack } from "../components/kialiStack";
import { LogsStack } from "../components/logsStack";
import { MetricsStack } from "../components/metricsStack";
import { StackNamespaces } from "../components/stackNamespaces";
import { TracingStack } from "../components/tracingStack";

/** The package's name in the schema: the first part of every resource and type token. */
export const PACKAGE_NAME = "observability";

/** The generated Go SDK's module (sdks/go), which a Go program requires or replaces with a clone's. */
export const GO_SDK_MODULE = "github.com/observability-stack/pulumi/sdks/go";

type ComponentClass<A> = new (
  name: string,
  args: A,
  opts?: pulumi.ComponentResourceOptions,
) => pulumi.ComponentResource;

export interface ServedComponent {
  readonly className: string;
  /**
   * The component of `name` with `args` as a program in another language gave them: the class
   * checks them as it checks a TypeScript program's, naming each wrong key.
   */
  readonly construct: (
    name: string,
    args: object,
    opts: pulumi.ComponentResourceOptions,
  ) => pulumi.ComponentResource;
}

function served<A>(className: string, component: ComponentClass<A>): ServedComponent {
  return { className, construct: (name, args, opts) => new component(name, args as A, opts) };
}

export const SERVED_COMPONENTS: readonly ServedComponent[] = [
  served("StackNamespaces", StackNamespaces),
  served("MetricsStack", MetricsStack),
  served("LogsStack", LogsStack),
  served("TracingStack", TracingStack),
  served("GrafanaStack", GrafanaStack),
  served("KialiStack", KialiStack),
  served("DemoStack", DemoStack),
];
