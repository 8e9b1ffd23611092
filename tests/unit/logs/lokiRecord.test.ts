// The figures real Loki measured until 2026-11-25 hold for the configs they were measured on: the
// record names them by digest, and a rendered loki.yaml that moves away from it makes this fail
// until the record is updated (docs/measured/loki-real-until-2026-11-25.md says how).
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { STACKS } from "../../kit/stacks";
import { configMapData, objectNamed } from "../../kit/rendered";
import { rendered } from "../../support/renderedStacks";

const RECORD = "docs/measured/loki-real-until-2026-11-25.md";
const text = fs.readFileSync(path.resolve(__dirname, "../../..", RECORD), "utf8");

const sha256 = (content: string): string => createHash("sha256").update(content).digest("hex");

/** The record's table: stack → the image and the digest its figures were measured with. */
const recorded = new Map(
  [...text.matchAll(/^\| (\w+) +\| `([^`]+)` +\| `([0-9a-f]{64})` +\|$/gm)].map(
    ([, stack, image, digest]) => [stack, { image, digest }],
  ),
);

/** The record's config blocks, by the stack named on the line before each. */
const blocks = new Map(
  [...text.matchAll(/^(\w+):\n\n```yaml\n([\s\S]*?)```$/gm)].map(([, stack, yaml]) => [stack, yaml]),
);

describe.each(STACKS)("the record of real Loki's figures, %s stack", (stack) => {
  test("holds the config it names by digest, and the image the stack deploys", async () => {
    const entry = recorded.get(stack);
    expect(entry).toBeDefined();
    expect(sha256(blocks.get(stack) ?? "")).toBe(entry?.digest);
    const { objects } = await rendered(stack);
    expect(objectNamed(objects, "StatefulSet", "loki").spec.template.spec.containers[0].image).toBe(
      entry?.image,
    );
  });

  test("is about the loki.yaml this program renders", async () => {
    const { objects } = await rendered(stack);
    const current = configMapData(objects, "loki-config")["loki.yaml"];
    if (sha256(current) !== recorded.get(stack)?.digest) {
      throw new Error(
        `the ${stack} stack's rendered loki.yaml (sha256 ${sha256(current)}) is not the one real Loki's ` +
          `figures in ${RECORD} were measured on (${recorded.get(stack)?.digest}). Measure again on real ` +
          `Loki, or say in the record why its figures still hold; then paste the new loki.yaml ` +
          `(npm run -s render -- ${stack}, ConfigMap loki-config) into its block and its sha256 into the table.`,
      );
    }
  });
});
