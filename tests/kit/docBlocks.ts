// What a page of docs/ tells a user to type or shows they will see, read from the page itself so a
// test runs or checks exactly that: the fenced block after a `<!-- <marker> -->` comment.
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../../render/renderStack";

/** The lines of the fenced block that follows `<!-- marker -->` on docs/<page>, unindented. */
export function docBlock(page: string, marker: string): string[] {
  const text = fs.readFileSync(path.join(PROJECT_ROOT, "docs", page), "utf8");
  const at = text.indexOf(`<!-- ${marker} -->`);
  if (at < 0) throw new Error(`docs/${page} has no <!-- ${marker} -->`);
  const fence = /^([ \t]*)```[a-z]*\n([\s\S]*?)\n\1```/m.exec(text.slice(at));
  if (fence === null) throw new Error(`docs/${page}: no fenced block after <!-- ${marker} -->`);
  return fence[2].split("\n").map((line) => line.slice(fence[1].length));
}

/** A documented line as a pattern: `…` and `<placeholder>` stand for any text, the rest is literal. */
const linePattern = (line: string) =>
  new RegExp(
    `^${line
      .split(/(…|<[a-z][a-z -]*>)/)
      .map((part, i) => (i % 2 === 1 ? ".+?" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
      .join("")}$`,
  );

/**
 * Where `printed` does not show what the example shows: each example line must be a line of it, in
 * order. Undefined when it does.
 */
export function unlikeExample(example: readonly string[], printed: string): string | undefined {
  const lines = printed.split("\n");
  let from = 0;
  for (const line of example) {
    const pattern = linePattern(line);
    const found = lines.findIndex((l, i) => i >= from && pattern.test(l.trimEnd()));
    if (found < 0)
      return `the example's line ${JSON.stringify(line)} is not in what was printed:\n${printed}`;
    from = found + 1;
  }
  return undefined;
}
