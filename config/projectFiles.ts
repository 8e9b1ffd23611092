import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { Identity, named, nonEmpty, strict } from "./fields";

/**
 * A file a config key names: a path, relative to the Pulumi project's root (the folder of its
 * `Pulumi.yaml`) unless absolute, or, from a program, the file's name and content.
 */
export type FileSource = string | { readonly name: string; readonly content: string };

/** A file read for the config: its own name, how errors refer to it, and its text. */
export interface ReadFile {
  readonly name: string;
  /** The path as the config gives it, or the name of content given directly. */
  readonly label: string;
  readonly text: string;
}

const fileContent = strict({
  name: nonEmpty.describe("The file's name."),
  content: z.string().describe("The file's content."),
});
/** A file a program gives by its name and content, where a stack file names a path. */
export interface FileContent extends Identity<z.input<typeof fileContent>> {}

/** The schema of a FileSource: a path, or a name and its content. */
export const fileSource = z.union([
  z
    .string({ invalid_type_error: "must be a path to a file, or its name and content" })
    .min(1, "must not be empty"),
  named<FileContent>()(fileContent),
]);

let projectRoot: string | undefined;

/**
 * Runs `body` with config files resolved against `root`: the Pulumi project's root for the
 * program, the consumer's for a component. Validation is synchronous, so the root holds for
 * exactly the files `body` reads.
 */
export function withProjectRoot<T>(root: string, body: () => T): T {
  const outer = projectRoot;
  projectRoot = root;
  try {
    return body();
  } finally {
    projectRoot = outer;
  }
}

/** The absolute path a config path names. */
export function projectPath(file: string): string {
  if (projectRoot === undefined) {
    throw new Error("config files are read only inside withProjectRoot");
  }
  return path.resolve(projectRoot, file);
}

/**
 * The text of a file the config names, or why it cannot be read, phrased to follow the key
 * ("must name a readable …").
 */
export function readConfigFile(source: FileSource, what: string): ReadFile | { problem: string } {
  if (typeof source !== "string") {
    return { name: source.name, label: source.name, text: source.content };
  }
  const tried = projectPath(source);
  try {
    return { name: path.basename(source), label: source, text: fs.readFileSync(tried, "utf8") };
  } catch (error) {
    return {
      problem: `must name a readable ${what}, relative to the project root; tried ${tried} (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    };
  }
}
