import * as pulumi from "@pulumi/pulumi";

/**
 * `opts` with an alias to the type token a component was deployed under, so that its URN matches
 * the state stored under that token; the engine derives each child's alias from its parent's, so
 * the children keep their state too.
 */
export function withFormerType(
  formerType: string,
  opts?: pulumi.ComponentResourceOptions,
): pulumi.ComponentResourceOptions {
  return { ...opts, aliases: [...(opts?.aliases ?? []), { type: formerType }] };
}
