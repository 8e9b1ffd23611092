// `kubectl` v1.31 for the calls scripts/up.sh makes: its client version, and whether the kubeconfig
// has a context (`config get-contexts NAME`, which prints the context's row or fails with
// "error: context NAME not found", as kubectl's get-contexts command does).
import { readKubeconfig } from "./kubeconfig";
import { fail, record, unmodelled } from "./machine";

const args = record("kubectl");

if (args[0] === "version" && args.includes("--client")) {
  process.stdout.write("Client Version: v1.31.0\nKustomize Version: v5.4.2\n");
} else if (args[0] === "config" && args[1] === "get-contexts" && args[2] !== undefined) {
  const config = readKubeconfig();
  const context = config.contexts.find((c) => c.name === args[2]);
  if (context === undefined) fail(`error: context ${args[2]} not found`, 1);
  const mark = config["current-context"] === args[2] ? "*" : "";
  const width = args[2].length + 3;
  const row = (cells: string[]) =>
    `${cells.map((c, i) => (i < cells.length - 1 ? c.padEnd(i === 0 ? 10 : width) : c)).join("")}\n`;
  process.stdout.write(
    row(["CURRENT", "NAME", "CLUSTER", "AUTHINFO", "NAMESPACE"]) + row([mark, args[2], args[2], args[2], ""]),
  );
} else {
  unmodelled("kubectl", args);
}
