import * as pulumi from "@pulumi/pulumi";

/**
 * A Secret's `stringData`, left out when it has no keys. The API server keeps neither `stringData`
 * nor `data` for an empty map, while the Kubernetes provider keeps the empty `stringData` it was
 * given: every preview after the first would then see it added, and a Secret's data is replaced,
 * never updated, under the provider's defaults.
 */
export function secretData(stringData: Readonly<Record<string, pulumi.Input<string>>>): {
  stringData?: Record<string, pulumi.Input<string>>;
} {
  return Object.keys(stringData).length === 0 ? {} : { stringData: { ...stringData } };
}
