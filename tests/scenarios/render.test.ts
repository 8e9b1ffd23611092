import { execFile, spawnSync } from "child_process";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { ConfigError } from "../../config";
import main = require("../../index");
import { KubeObject, redactSecrets, toManifest } from "../../render/manifest";
import { PROJECT_ROOT, recordDeployment, renderStack } from "../../render/renderStack";
import { SECRET_PLACEHOLDER, readStackFile } from "../../render/stackFile";
import { rendered } from "../support/renderedStacks";
import { STACKS } from "../kit/stacks";
import { SHARED_RENDERS_VARIABLE } from "../support/sharedRenders";
import { sleep } from "../kit/sleep";

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function renderCli(stack: string, ...flags: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      path.join(PROJECT_ROOT, "node_modules/.bin/ts-node"),
      ["--transpiler", "sucrase/ts-node-plugin", "scripts/render.ts", stack, ...flags],
      { cwd: PROJECT_ROOT },
      (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : (error.code as number), stdout, stderr }),
    );
  });
}

/** Where getting-started.md has a render written: under `/out/`, which .gitignore (and with it Prettier) ignores. */
const RENDER_OUT = (stack: string) => `out/${stack}.yaml`;

describe.each(STACKS)("npm run render -- %s", (stack) => {
  // Two runs in two processes: the command's, and the suite's global setup's (tests/unit/globalSetup.ts).
  // kind is written with --out, as getting-started.md shows it; prod is printed.
  test("prints every object as valid multi-document YAML, the same bytes on every run", async () => {
    expect(process.env[SHARED_RENDERS_VARIABLE]).toBeDefined();
    const out = stack === "kind" ? RENDER_OUT(`${stack}-${process.pid}`) : undefined;
    const printed = await renderCli(stack, ...(out === undefined ? [] : ["--out", out]));
    expect(printed.code).toBe(0);
    let manifest = printed.stdout;
    if (out !== undefined) {
      expect(printed.stdout).toBe("");
      manifest = fs.readFileSync(path.join(PROJECT_ROOT, out), "utf8");
      fs.rmSync(path.join(PROJECT_ROOT, out));
    }
    const documents = yaml.loadAll(manifest) as KubeObject[];
    const { objects, patches } = await rendered(stack);
    expect(documents).toEqual([...objects, ...patches].map(redactSecrets));
    expect(manifest).toBe(toManifest([...objects, ...patches]));
  });

  test("orders objects like an install: namespaces first, then by kind, namespace and name", async () => {
    const { objects } = await rendered(stack);
    expect(objects[0].kind).toBe("Namespace");
    // Joined with a character that sorts below every name character, so the order is (namespace, name).
    const policies = objects
      .filter((o) => o.kind === "NetworkPolicy")
      .map((o) => `${o.metadata.namespace}\u0000${o.metadata.name}`);
    expect(policies.length).toBeGreaterThan(1);
    expect(policies).toEqual([...policies].sort());
  });
});

/** The files the docs' render commands write into: `--out <file>` or `> <file>`. */
function documentedRenderFiles(): string[] {
  const pages = ["README.md", ...fs.readdirSync(path.join(PROJECT_ROOT, "docs")).map((f) => `docs/${f}`)];
  return pages
    .filter((page) => page.endsWith(".md"))
    .flatMap((page) =>
      [
        ...fs
          .readFileSync(path.join(PROJECT_ROOT, page), "utf8")
          .matchAll(/npm run render -- \S+ (?:--out|>) (\S+)/g),
      ].map((m) => m[1]),
    );
}

test("every file the docs have a render written into is ignored by git and by Prettier (npm run lint)", () => {
  const files = documentedRenderFiles();
  expect(files).toContain(RENDER_OUT("kind"));
  // Prettier's own answer, as `prettier --check .` in npm run lint decides it.
  const prettierIgnores = (file: string) =>
    (
      JSON.parse(
        spawnSync(path.join(PROJECT_ROOT, "node_modules/.bin/prettier"), ["--file-info", file], {
          cwd: PROJECT_ROOT,
          encoding: "utf8",
        }).stdout,
      ) as { ignored: boolean }
    ).ignored;
  for (const file of files) {
    const git = spawnSync("git", ["check-ignore", "--quiet", "--no-index", file], { cwd: PROJECT_ROOT });
    expect(`${file}: git ${git.status === 0 ? "ignores" : "tracks"}`).toBe(`${file}: git ignores`);
    expect(`${file}: Prettier ${prettierIgnores(file) ? "ignores" : "checks"}`).toBe(
      `${file}: Prettier ignores`,
    );
  }
  // A render written beside the stack files, as the docs once had it, is checked by both.
  expect(prettierIgnores("kind.yaml")).toBe(false);
});

describe("a bad stack file", () => {
  const name = `jest-bad-${process.pid}`;
  const file = path.join(PROJECT_ROOT, `Pulumi.${name}.yaml`);
  beforeAll(() =>
    fs.writeFileSync(
      file,
      yaml.dump({
        config: {
          "observability:tracing": { samplingProbability: 1.5 },
          "observability:metrcs": { replicas: 1 },
          "observability:exposure": { mode: "ingress" },
        },
      }),
    ),
  );
  afterAll(() => fs.rmSync(file, { force: true }));

  test("makes render exit non-zero, name every wrong key, and print no YAML", async () => {
    const result = await renderCli(name);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(
      "observability:tracing.samplingProbability must be between 0 and 1 (got 1.5)",
    );
    expect(result.stderr).toContain("observability:metrcs is not a known key (did you mean metrics?)");
    expect(result.stderr).toContain(
      "observability:exposure.ingress is required when exposure.mode is ingress",
    );
  });

  test("registers no resource at all: config fails before the provider or any namespace", async () => {
    const mocks = await recordDeployment(name, readStackFile(name, PROJECT_ROOT).config);
    await expect(main()).rejects.toThrow(ConfigError);
    await sleep(50);
    expect(mocks.registrations).toEqual([]);
  });

  test("that does not exist is named", async () => {
    await expect(renderStack("no-such-stack")).rejects.toThrow(/No stack file .*Pulumi\.no-such-stack\.yaml/);
  });
});

describe("secrets in the render", () => {
  test("encrypted stack-file values become a placeholder and mark their key secret", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "render-"));
    fs.writeFileSync(
      path.join(dir, "Pulumi.s.yaml"),
      yaml.dump({
        config: {
          "observability:alerting": { slack: { webhookUrl: { secure: "v1:abc" }, channel: "#ops" } },
          "observability:profile": "kind",
        },
      }),
    );
    const { config, secretKeys } = readStackFile("s", dir);
    expect(JSON.parse(config["observability:alerting"])).toEqual({
      slack: { webhookUrl: SECRET_PLACEHOLDER, channel: "#ops" },
    });
    expect(config["observability:profile"]).toBe("kind");
    expect(secretKeys).toEqual(["observability:alerting"]);
  });

  test("every value of a Secret is replaced, other objects are untouched", () => {
    const secret: KubeObject = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "s" },
      stringData: { password: "hunter2" },
      data: { key: "aHVudGVyMg==" },
    };
    const manifest = toManifest([secret]);
    expect(manifest).not.toContain("hunter2");
    expect(manifest).not.toContain("aHVudGVyMg==");
    expect(yaml.load(manifest)).toMatchObject({
      stringData: { password: SECRET_PLACEHOLDER },
      data: { key: SECRET_PLACEHOLDER },
    });
    const configMap: KubeObject = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "c" },
      data: { a: "b" },
    };
    expect(redactSecrets(configMap)).toBe(configMap);
  });
});

test.each(STACKS)("docs/getting-started.md documents every output of stack %s", async (stack) => {
  const readme = fs.readFileSync(path.join(PROJECT_ROOT, "docs", "getting-started.md"), "utf8");
  const { outputs } = await rendered(stack);
  expect(Object.keys(outputs).length).toBeGreaterThan(5);
  expect(Object.keys(outputs).filter((key) => !new RegExp(`^\\| \`${key}\` +\\|`, "m").test(readme))).toEqual(
    [],
  );
});
