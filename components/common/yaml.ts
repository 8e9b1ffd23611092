import * as yaml from "js-yaml";
import * as pulumi from "@pulumi/pulumi";

/**
 * Serialises a config object built by a typed builder. Key order is the builder's (stable by
 * construction); no anchors, no line folding, so the text diffs cleanly in `pulumi preview --diff`.
 */
export function toYaml(value: unknown): string {
  return yaml.dump(value, { noRefs: true, lineWidth: -1, sortKeys: false });
}

/** Whether a config object holds a Pulumi Output anywhere: a value a program took from another resource. */
function holdsOutput(value: unknown): boolean {
  if (pulumi.Output.isInstance(value)) {
    return true;
  }
  return value !== null && typeof value === "object" && Object.values(value).some(holdsOutput);
}

/** The text of `toYaml`, of a config that may hold a program's Outputs: known once they are. */
export function toYamlInput(value: unknown): pulumi.Input<string> {
  return holdsOutput(value) ? pulumi.output(value as object).apply(toYaml) : toYaml(value);
}

/** The JSON text of a value that may hold a program's Outputs (an annotation's): known once they are. */
export function toJsonInput(value: object): pulumi.Input<string> {
  return holdsOutput(value) ? pulumi.jsonStringify(pulumi.output(value)) : JSON.stringify(value);
}
