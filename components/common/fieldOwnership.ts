import * as pulumi from "@pulumi/pulumi";

/** The Kubernetes provider's annotation: apply with force, taking fields over from other managers. */
export const PATCH_FORCE = "pulumi.com/patchForce";

/**
 * The stack owns every field it sets. The provider applies each object by server-side apply and,
 * by default, refuses to take a field over from another field manager: after a `kubectl edit`,
 * `kubectl scale` or `kubectl apply --server-side` on one of the stack's objects, the next preview
 * or up that applies it fails on the conflict. With this on every object, the next `pulumi up
 * --refresh` puts the program's values back instead (docs/troubleshooting.md). A field the program
 * does not set stays whoever's it is.
 */
export const ownEveryField: pulumi.ResourceTransformation = ({ type, props, opts }) => {
  if (!type.startsWith("kubernetes:")) return undefined;
  const metadata = (props.metadata ?? {}) as pulumi.Input<{
    annotations?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  }>;
  return {
    props: {
      ...props,
      metadata: pulumi
        .output(metadata)
        .apply((m) => ({ ...m, annotations: { ...m.annotations, [PATCH_FORCE]: "true" } })),
    },
    opts,
  };
};
