import { execFileSync } from "child_process";
import { KubeObject, toManifest } from "../render/manifest";
import { kubeValidate } from "./kubeValidate";

/**
 * Decodes every object, with the kube-validate binary (tools/kube-validate), into the real
 * Kubernetes Go types with strict field validation, as the API server does with
 * fieldValidation=Strict: unknown or duplicate fields and wrong types fail. Throws when there is no
 * kube-validate (see kubeValidate).
 */
export function strictDecodeProblems(objects: readonly KubeObject[]): string[] {
  const decoder = kubeValidate();
  if ("unavailable" in decoder) {
    throw new Error(decoder.unavailable);
  }
  try {
    execFileSync(decoder.binary, [], {
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
