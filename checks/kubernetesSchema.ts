import { execFileSync } from "child_process";
import { KubeObject, toManifest } from "../render/manifest";

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

/**
 * Decodes every object, with the kube-validate binary (tools/kube-validate), into the real Kubernetes Go types with strict field validation, as the
 * API server does with fieldValidation=Strict: unknown or duplicate fields and wrong types fail.
 */
export function strictDecodeProblems(objects: readonly KubeObject[], kubeValidate: string): string[] {
  try {
    execFileSync(kubeValidate, [], {
      input: toManifest(objects),
      encoding: "utf8",
      stdio: ["pipe", "pipe", "pipe"],
    });
    return [];
  } catch (error) {
    const stdout = (error as { stdout?: string }).stdout ?? "";
    const lines = stdout.split("\n").filter((line) => line.trim() !== "");
    return lines.length > 0 ? lines : [`kube-validate failed: ${String(error)}`];
  }
}
