// `kind` as kind v0.24.0 answers the calls scripts/up.sh and down.sh make (its messages as
// pkg/cluster/internal/create and pkg/cmd/kind print them): its clusters are kept in the test's
// state, and creating or exporting one writes its context into the kubeconfig kubectl reads.
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { Endpoint, currentEndpoint, removeContext, writeContext } from "./kubeconfig";
import { STATE, fail, readJson, record, unmodelled, writeJson } from "./machine";

const CLUSTERS = path.join(STATE, "kind-clusters.json");
const args = record("kind");
const clusters = readJson<string[]>(CLUSTERS, []);
const flag = (name: string, otherwise: string) => {
  const at = args.indexOf(name);
  return at === -1 ? otherwise : args[at + 1];
};
/**
 * Each cluster's API server: the control plane whose kubeconfig OBSERVABILITY_STANDIN_KIND_CLUSTER
 * names (a test's), or else a port nothing listens on.
 */
const running = process.env.OBSERVABILITY_STANDIN_KIND_CLUSTER;
const endpoint: Endpoint =
  running === undefined || running === ""
    ? { cluster: { server: "https://127.0.0.1:6443" }, user: { token: "stand-in" } }
    : currentEndpoint(running);

switch (args.slice(0, 2).join(" ")) {
  case "version":
    process.stdout.write("kind v0.24.0 go1.22.6 linux/amd64\n");
    break;
  case "get clusters":
    if (clusters.length === 0) process.stderr.write("No kind clusters found.\n");
    clusters.forEach((name) => process.stdout.write(`${name}\n`));
    break;
  case "create cluster": {
    const config = yaml.load(fs.readFileSync(flag("--config", ""), "utf8")) as { name?: string };
    const name = flag("--name", config.name ?? "kind");
    if (clusters.includes(name)) {
      fail(`ERROR: failed to create cluster: node(s) already exist for a cluster with the name "${name}"`, 1);
    }
    writeJson(CLUSTERS, [...clusters, name]);
    writeContext(`kind-${name}`, endpoint);
    process.stderr.write(
      [
        `Creating cluster "${name}" ...`,
        " ✓ Ensuring node image (kindest/node:v1.31.0) 🖼",
        " ✓ Preparing nodes 📦",
        " ✓ Writing configuration 📜",
        " ✓ Starting control-plane 🕹️",
        " ✓ Installing CNI 🔌",
        " ✓ Installing StorageClass 💾",
        ` ✓ Waiting ≤ 2m0s for control-plane = Ready ⏳`,
        " • Ready after 15s 💚",
        `Set kubectl context to "kind-${name}"`,
        "You can now use your cluster with:",
        "",
        `kubectl cluster-info --context kind-${name}`,
        "",
      ].join("\n"),
    );
    break;
  }
  case "export kubeconfig": {
    const name = flag("--name", "kind");
    if (!clusters.includes(name))
      fail(`ERROR: could not locate any control plane nodes for cluster named '${name}'`, 1);
    writeContext(`kind-${name}`, endpoint);
    process.stderr.write(`Set kubectl context to "kind-${name}"\n`);
    break;
  }
  case "delete cluster": {
    const name = flag("--name", "kind");
    writeJson(
      CLUSTERS,
      clusters.filter((c) => c !== name),
    );
    removeContext(`kind-${name}`);
    process.stderr.write(
      clusters.includes(name)
        ? `Deleting cluster "${name}" ...\nDeleted nodes: ["${name}-control-plane"]\n`
        : `Deleting cluster "${name}" ...\n`,
    );
    break;
  }
  default:
    unmodelled("kind", args);
}
