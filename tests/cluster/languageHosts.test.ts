// The Python and YAML language hosts built here run a program through the real engine: a project
// of each language in a directory of its own, with a file backend, `pulumi up` registering a
// component (Python) and stack outputs computed from the stack's config, `pulumi stack output`
// reading them back, then destroy. The Python program runs on the SDK of the virtualenv that
// scripts/tools/pulumi-python.sh installs (the version of @pulumi/pulumi the project pins) and
// imports pulumi_kubernetes from it; a Kubernetes ConfigMap of each language is previewed through the
// Kubernetes provider. No control plane: nothing here reaches a cluster.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { resourceType } from "../../testkit/engine/urn";
import { EngineWorkspace } from "../../testkit/engine/workspace";

const STACK = "dev";

/** What the test expects of the Python virtualenv: the versions scripts/tools/pulumi-python.sh pins. */
function pinnedVersions(): { pulumi: string; kubernetes: string } {
  const script = fs.readFileSync(path.join(__dirname, "../../scripts/tools/pulumi-python.sh"), "utf8");
  const match = /^readonly PULUMI=(\S+) KUBERNETES=(\S+)$/m.exec(script);
  if (match === null)
    throw new Error("scripts/tools/pulumi-python.sh: no readonly PULUMI=… KUBERNETES=… line");
  return { pulumi: match[1], kubernetes: match[2] };
}

const PYTHON_PROGRAM = `import importlib.metadata

import pulumi
import pulumi_kubernetes


class Greeter(pulumi.ComponentResource):
    def __init__(self, name, word, opts=None):
        super().__init__("probe:index:Greeter", name, None, opts)
        self.greeting = pulumi.Output.from_input(word).apply(lambda w: f"hello {w}")
        self.register_outputs({"greeting": self.greeting})


config = pulumi.Config()
greeter = Greeter("greeter", config.require("word"))
pulumi.export("greeting", greeter.greeting)
pulumi.export("sdk", importlib.metadata.version("pulumi"))
pulumi.export("kubernetesSdk", importlib.metadata.version("pulumi_kubernetes"))
pulumi.export("kubernetesModule", pulumi_kubernetes.core.v1.ConfigMap.__module__)
`;

const YAML_PROGRAM = `name: yaml-probe
runtime: yaml
config:
  word:
    type: string
outputs:
  greeting: hello \${word}
  words:
    - \${word}
    - \${word}
`;

const CONFIGMAP_PYTHON = `import pulumi_kubernetes as k8s

k8s.core.v1.ConfigMap("probe", metadata={"name": "probe"}, data={"greeting": "hello"})
`;

const CONFIGMAP_YAML = `name: yaml-configmap
runtime: yaml
resources:
  probe:
    type: kubernetes:core/v1:ConfigMap
    properties:
      metadata:
        name: probe
      data:
        greeting: hello
`;

describe("language hosts through the real engine", () => {
  let sources: string;
  const workspaces: EngineWorkspace[] = [];

  beforeAll(() => {
    sources = fs.mkdtempSync(path.join(os.tmpdir(), "language-hosts-"));
  });

  afterAll(() => {
    for (const workspace of workspaces) workspace.remove();
    fs.rmSync(sources, { recursive: true, force: true });
  });

  /**
   * An engine workspace whose project is `files` alone, written to a directory of their own. Its
   * kubeconfig is one that does not exist: the Kubernetes provider previews without a cluster.
   */
  function project(name: string, files: Readonly<Record<string, string>>): EngineWorkspace {
    const root = path.join(sources, name);
    fs.mkdirSync(root);
    for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(root, file), text);
    const workspace = new EngineWorkspace({
      projectRoot: root,
      env: { KUBECONFIG: path.join(sources, "no-kubeconfig") },
    });
    workspaces.push(workspace);
    return workspace;
  }

  /**
   * up, then the outputs as `pulumi stack output` prints each, then destroy leaving no resource;
   * with the types of the resources the up created.
   */
  async function upReadDestroy(
    workspace: EngineWorkspace,
    config: Record<string, unknown>,
    outputs: readonly string[],
  ): Promise<{ outputs: Record<string, string>; created: string[] }> {
    await workspace.initStack(STACK, { config });
    const up = await workspace.up(STACK);
    // The whole run shows in the diff when it failed.
    expect({ status: up.status, errors: up.errors, stdout: up.stdout, stderr: up.stderr }).toMatchObject({
      status: 0,
      errors: [],
    });
    const read: Record<string, string> = {};
    for (const name of outputs) read[name] = await workspace.output(STACK, name);
    const destroy = await workspace.destroy(STACK);
    expect({ status: destroy.status, errors: destroy.errors }).toEqual({ status: 0, errors: [] });
    const state = JSON.parse(await workspace.exportState(STACK)) as { deployment: { resources?: unknown[] } };
    expect(state.deployment.resources ?? []).toEqual([]);
    const created = up.applied.filter((step) => step.op === "create").map((step) => resourceType(step.urn));
    return { outputs: read, created };
  }

  it("runs a Python program on the pinned SDK, with pulumi_kubernetes importable", async () => {
    const workspace = project("python", {
      "Pulumi.yaml": "name: python-probe\nruntime: python\n",
      "__main__.py": PYTHON_PROGRAM,
    });
    const { outputs, created } = await upReadDestroy(workspace, { "python-probe:word": "from-python" }, [
      "greeting",
      "sdk",
      "kubernetesSdk",
      "kubernetesModule",
    ]);
    const pinned = pinnedVersions();
    expect(outputs).toEqual({
      greeting: "hello from-python",
      sdk: pinned.pulumi,
      kubernetesSdk: pinned.kubernetes,
      kubernetesModule: "pulumi_kubernetes.core.v1.ConfigMap",
    });
    expect(created.sort()).toEqual(["probe:index:Greeter", "pulumi:pulumi:Stack"]);
  });

  it("runs a Pulumi YAML program", async () => {
    const workspace = project("yaml", { "Pulumi.yaml": YAML_PROGRAM });
    const { outputs, created } = await upReadDestroy(workspace, { "yaml-probe:word": "from-yaml" }, [
      "greeting",
      "words",
    ]);
    expect(created).toEqual(["pulumi:pulumi:Stack"]);
    expect(outputs.greeting).toBe("hello from-yaml");
    expect(JSON.parse(outputs.words)).toEqual(["from-yaml", "from-yaml"]);
  });

  it("previews a Kubernetes ConfigMap of a Python and of a YAML program through the provider", async () => {
    const programs: Record<string, Record<string, string>> = {
      "python-configmap": {
        "Pulumi.yaml": "name: python-configmap\nruntime: python\n",
        "__main__.py": CONFIGMAP_PYTHON,
      },
      "yaml-configmap": { "Pulumi.yaml": CONFIGMAP_YAML },
    };
    for (const [name, files] of Object.entries(programs)) {
      const workspace = project(name, files);
      await workspace.initStack(STACK, { config: {} });
      const preview = await workspace.preview(STACK);
      expect({ name, status: preview.status, errors: preview.errors, stdout: preview.stdout }).toMatchObject({
        name,
        status: 0,
        errors: [],
      });
      // The engine's plan leaves the default provider out.
      expect(preview.planned.map((step) => `${step.op} ${resourceType(step.urn)}`).sort()).toEqual([
        "create kubernetes:core/v1:ConfigMap",
        "create pulumi:pulumi:Stack",
      ]);
    }
  });
});
