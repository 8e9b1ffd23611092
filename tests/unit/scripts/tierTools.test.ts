// The test tiers' Go tools are listed once (tests/kit/tierTools.json): scripts/steps.sh prebuilds
// from that list and each tier's jest global setup builds from it.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { TestTier, toolsOfTier } from "../../kit/tools";

const ROOT = path.resolve(__dirname, "../../..");
const TIERS: readonly TestTier[] = ["unit", "scenarios", "servers", "cluster", "examples", "load"];

/** What a function of scripts/steps.sh prints, without the step summary its EXIT trap prints. */
function stepsFunction(name: string, ...args: string[]): string {
  return execFileSync("bash", ["-c", `source scripts/steps.sh; trap - EXIT; ${name} "$@"`, name, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, OBSERVABILITY_STEP_LOG: "/dev/null" },
  });
}

/** `tier_tools <tiers>`: one tool a line. */
const tierTools = (...tiers: string[]): string[] =>
  stepsFunction("tier_tools", ...tiers)
    .split("\n")
    .filter((line) => line !== "");

/** `prebuild_chains <tiers>`: two lines, each a chain of tools. */
function prebuildChains(...tiers: string[]): string[][] {
  const lines = stepsFunction("prebuild_chains", ...tiers).split("\n");
  expect(lines).toHaveLength(3);
  expect(lines[2]).toBe("");
  return lines.slice(0, 2).map((line) => line.split(" ").filter((tool) => tool !== ""));
}

test("every tier's tools are Go tools of tools/", () => {
  for (const tier of TIERS) {
    for (const tool of toolsOfTier(tier)) {
      expect(fs.existsSync(path.join(ROOT, "tools", tool))).toBe(true);
    }
  }
});

test("steps.sh's tier_tools lists the tiers' tools from the same list, once each, in the tiers' order", () => {
  for (const tier of TIERS) {
    expect(tierTools(tier)).toEqual(toolsOfTier(tier));
  }
  expect(tierTools(...TIERS)).toEqual([...new Set(TIERS.flatMap(toolsOfTier))]);
  expect(tierTools("cluster", "unit")).toEqual([
    ...new Set([...toolsOfTier("cluster"), ...toolsOfTier("unit")]),
  ]);
  expect(tierTools()).toEqual([]);
});

test("the background builds run in two chains: the tiers before the cluster's, and the others' tools not in the first", () => {
  const [first, second] = prebuildChains(...TIERS);
  expect(first).toEqual(tierTools("unit", "scenarios", "servers"));
  expect(second).toEqual(tierTools("cluster", "examples", "load").filter((tool) => !first.includes(tool)));
  expect([...first, ...second].sort()).toEqual(tierTools(...TIERS).sort());

  expect(prebuildChains("cluster")).toEqual([[], tierTools("cluster")]);
  expect(prebuildChains("servers", "unit")).toEqual([tierTools("servers", "unit"), []]);
});
