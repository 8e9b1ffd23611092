import type { KubeObject } from "../render/manifest";

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: unknown) => Validatable;

/** `kubernetes-models/<group>/<version>` for an apiVersion; the core group is plain `v1`. */
function modelModule(apiVersion: string): string {
  return `kubernetes-models/${apiVersion}`;
}

/**
 * Validates an object against the Kubernetes OpenAPI schema (types, formats, required fields),
 * offline, with the generated validators of `kubernetes-models`.
 */
export function openApiProblems(object: KubeObject): string[] {
  const id = `${object.kind}/${object.metadata.namespace ?? ""}/${object.metadata.name}`;
  let Model: ModelClass | undefined;
  try {
    // The model module depends on the object's apiVersion, known only at run time.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    Model = (require(modelModule(object.apiVersion)) as Record<string, ModelClass | undefined>)[object.kind];
  } catch {
    Model = undefined;
  }
  if (Model === undefined) {
    return [`${id}: no schema for ${object.apiVersion} ${object.kind}`];
  }
  try {
    new Model(object).validate();
    return [];
  } catch (error) {
    return [`${id}: ${error instanceof Error ? error.message : String(error)}`];
  }
}
