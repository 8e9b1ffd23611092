// The tools of a build family (tools/build-families.json) require one version of every module they
// share, so that on a cold machine each shared package compiles once (scripts/tools/align.sh).
// A version bump of one member without `align.sh` fails here, naming the modules that differ.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_ROOT } from "../../../render/renderStack";

const TOOLS = path.join(PROJECT_ROOT, "tools");
const FAMILIES = JSON.parse(fs.readFileSync(path.join(TOOLS, "build-families.json"), "utf8")) as Record<
  string,
  string[]
>;

/** Every module a go.mod requires, with its version: the single-line `require`s and the blocks'. */
function requirements(goMod: string): Map<string, string> {
  const found = new Map<string, string>();
  let block = false;
  for (const raw of goMod.split("\n")) {
    const line = raw.replace(/\/\/.*$/, "").trim();
    if (line === "require (") block = true;
    else if (block && line === ")") block = false;
    else {
      const entry = block ? line : /^require\s+(.*)$/.exec(line)?.[1];
      const [module, version] = entry?.split(/\s+/) ?? [];
      if (module !== undefined && version !== undefined) found.set(module, version);
    }
  }
  return found;
}

/** The modules two or more of `goMods` require at different versions, each with its versions by tool. */
function disagreements(goMods: Readonly<Record<string, string>>): string[] {
  const versions = new Map<string, Map<string, string>>();
  for (const [tool, text] of Object.entries(goMods)) {
    for (const [module, version] of requirements(text)) {
      versions.set(module, (versions.get(module) ?? new Map<string, string>()).set(tool, version));
    }
  }
  return [...versions]
    .filter(([, byTool]) => new Set(byTool.values()).size > 1)
    .map(([module, byTool]) => `${module}: ${[...byTool].map(([t, v]) => `${t} ${v}`).join(", ")}`);
}

const goModsOf = (members: readonly string[], dir = TOOLS) =>
  Object.fromEntries(members.map((t) => [t, fs.readFileSync(path.join(dir, t, "go.mod"), "utf8")]));

describe("build families", () => {
  test.each(Object.entries(FAMILIES))("%s: every module its tools share at one version", (_, members) => {
    expect(members.length).toBeGreaterThan(1);
    expect(disagreements(goModsOf(members))).toEqual([]);
  });

  test("one member bumped alone (a shared module raised in its go.mod only) is found, with both versions", () => {
    const [family, members] = Object.entries(FAMILIES)[0];
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), `family-${family}-`));
    try {
      for (const tool of members) {
        fs.mkdirSync(path.join(scratch, tool));
        fs.copyFileSync(path.join(TOOLS, tool, "go.mod"), path.join(scratch, tool, "go.mod"));
      }
      const shared = [...requirements(goModsOf(members)[members[0]])].find(([module]) =>
        members.slice(1).every((t) => requirements(goModsOf([t])[t]).has(module)),
      );
      if (shared === undefined) throw new Error(`family ${family} shares no module`);
      const [module, version] = shared;
      const bumped = `${version}-bumped`;
      // go mod edit writes the requirement as Go would: the test reads it back as from any go.mod.
      execFileSync("go", ["mod", "edit", `-require=${module}@${bumped}`], {
        cwd: path.join(scratch, members[0]),
      });
      const others = members.slice(1).map((t) => `${t} ${version}`);
      expect(disagreements(goModsOf(members, scratch))).toEqual([
        `${module}: ${members[0]} ${bumped}, ${others.join(", ")}`,
      ]);
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  });
});
