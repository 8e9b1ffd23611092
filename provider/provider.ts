// The package's components served to Pulumi programs in any language: the engine sends each
// `observability:index:<Component>` a program registers to this provider's Construct, which builds
// the same TypeScript component a TypeScript program would, with the same args and checks, and
// answers the properties the schema lists.
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import type * as provider from "@pulumi/pulumi/provider";
import { PACKAGE_NAME, SERVED_COMPONENTS } from "./components";
import type { PackageSchema } from "./schemaTypes";

/** The generated schema (`npm run schema`), beside this file in the repository and in dist/. */
export const SCHEMA_PATH = path.join(__dirname, "schema.json");

/** What the engine knows of an input: an Output's value, whether it is known and secret, its resources. */
interface OutputState {
  readonly isKnown: Promise<boolean>;
  readonly isSecret: Promise<boolean>;
  promise(): Promise<unknown>;
  resources(): Set<pulumi.Resource>;
}

/**
 * The args as the TypeScript class takes them. An input another resource's output fed arrives as an
 * Output of a known value (the caller's SDK resolved it before registering); the classes take
 * names and peers as values, so each known one is given as its value, and the resources it came
 * from become dependencies. Secrets come whole, a section holding one credential being secret as
 * a whole: given as its value too, as the class makes each credential of it a secret again (and
 * only those). An unknown value (a preview before its resource exists) stays an Output, which the
 * class refuses where it needs a value, naming the arg.
 */
async function argsOf(
  inputs: pulumi.Inputs,
): Promise<{ args: Record<string, unknown>; dependsOn: pulumi.Resource[] }> {
  const args: Record<string, unknown> = {};
  const dependsOn: pulumi.Resource[] = [];
  for (const [key, value] of Object.entries(inputs)) {
    if (!pulumi.Output.isInstance(value)) {
      args[key] = value;
      continue;
    }
    const state = value as unknown as OutputState;
    if (!(await state.isKnown)) {
      args[key] = value;
      continue;
    }
    args[key] = await state.promise();
    dependsOn.push(...state.resources());
  }
  return { args, dependsOn };
}

export class ObservabilityProvider implements provider.Provider {
  readonly version: string;
  private readonly packageSchema: PackageSchema;

  constructor(schemaText: string = fs.readFileSync(SCHEMA_PATH, "utf8")) {
    this.packageSchema = JSON.parse(schemaText) as PackageSchema;
    this.version = this.packageSchema.version;
  }

  getSchema(): Promise<string> {
    return Promise.resolve(JSON.stringify(this.packageSchema));
  }

  async construct(
    name: string,
    type: string,
    inputs: pulumi.Inputs,
    options: pulumi.ComponentResourceOptions,
  ): Promise<provider.ConstructResult> {
    const served = SERVED_COMPONENTS.find((c) => `${PACKAGE_NAME}:index:${c.className}` === type);
    const spec = this.packageSchema.resources[type];
    if (served === undefined || spec === undefined) {
      throw new Error(
        `unknown resource type ${type}: this provider serves ${Object.keys(this.packageSchema.resources).join(", ")}`,
      );
    }
    const { args, dependsOn } = await argsOf(inputs);
    // The SDK's Construct hands the dependencies the program gave as a list of resources.
    const given = (options.dependsOn ?? []) as pulumi.Resource[];
    const component = served.construct(name, args, { ...options, dependsOn: [...given, ...dependsOn] });
    const properties = component as unknown as Readonly<Record<string, unknown>>;
    return {
      urn: component.urn,
      state: Object.fromEntries(Object.keys(spec.properties).map((key) => [key, properties[key]])),
    };
  }
}
