import * as fs from "fs";
import * as path from "path";

/**
 * The project root, where `Pulumi.yaml` is and `pulumi` runs the program: the paths in the stack
 * config (rule files, dashboard folders) are relative to it.
 */
export const PROJECT_ROOT = path.resolve(__dirname, "..");

/**
 * The text of a file the stack config names by a path relative to the project root, or why it
 * cannot be read, phrased to follow the key ("must name a readable …").
 */
export function readProjectFile(file: string, what: string): { text: string } | { problem: string } {
  if (path.isAbsolute(file)) {
    return {
      problem: "must be a path relative to the project root, so the stack file works in every checkout",
    };
  }
  const tried = path.resolve(PROJECT_ROOT, file);
  try {
    return { text: fs.readFileSync(tried, "utf8") };
  } catch (error) {
    return {
      problem: `must name a readable ${what}, relative to the project root; tried ${tried} (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    };
  }
}
