import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";

/** What `cluster.kubeconfig` holds: a kubeconfig itself, or the path of its file. */
type KubeconfigSource = { readonly contents: string } | { readonly file: string };

/**
 * The provider takes either; a kubeconfig is YAML (or JSON) with `apiVersion` or `clusters`, and
 * anything else is a path: relative to the project root, where `pulumi` runs the program, or `~/…`.
 */
export function kubeconfigSource(value: string): KubeconfigSource {
  let parsed: unknown;
  try {
    parsed = yaml.load(value);
  } catch {
    parsed = undefined;
  }
  if (parsed !== null && typeof parsed === "object" && ("apiVersion" in parsed || "clusters" in parsed)) {
    return { contents: value };
  }
  return { file: path.resolve(value.startsWith("~/") ? path.join(os.homedir(), value.slice(2)) : value) };
}

/** Why `cluster.kubeconfig` names nothing the provider could read, or undefined. */
export function kubeconfigProblem(value: string): string | undefined {
  const source = kubeconfigSource(value);
  if (!("file" in source)) {
    return undefined;
  }
  const allowed = "must be the path of a kubeconfig file or its contents (YAML with apiVersion and clusters)";
  if (value.includes("\n")) {
    return `${allowed}; it holds text of several lines, which is neither`;
  }
  return fs.existsSync(source.file) ? undefined : `${allowed}; there is no file at ${source.file}`;
}
