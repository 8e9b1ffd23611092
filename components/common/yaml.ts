import * as yaml from "js-yaml";

/**
 * Serialises a config object built by a typed builder. Key order is the builder's (stable by
 * construction); no anchors, no line folding, so the text diffs cleanly in `pulumi preview --diff`.
 */
export function toYaml(value: unknown): string {
  return yaml.dump(value, { noRefs: true, lineWidth: -1, sortKeys: false });
}
