// The one file of licence exceptions (licences/exceptions.json): each names what it lets through
// (an ecosystem, for Go and PyPI the tool, and the module or package) and why. The gate fails on a
// refused licence no exception names, and on an exception that no longer lets anything through.
import * as fs from "fs";
import { z } from "zod";

export const ECOSYSTEMS = ["go", "npm", "pypi"] as const;
export type Ecosystem = (typeof ECOSYSTEMS)[number];

const exception = z
  .object({
    ecosystem: z.enum(ECOSYSTEMS, {
      errorMap: () => ({ message: `must be one of ${ECOSYSTEMS.join(", ")}` }),
    }),
    tool: z.string().min(1, "must name a tool of tools/ or a PyPI tool").optional(),
    name: z.string().min(1, "must name a Go module, an npm package or a PyPI distribution"),
    reason: z.string().min(1, "must say why the exception is needed and until when"),
  })
  .strict();

const exceptionsFile = z.object({ exceptions: z.array(exception) }).strict();

export type LicenceException = z.output<typeof exception>;

/** The exceptions of `file`; bad entries are refused naming the key and what it allows. */
export function readExceptions(file: string): LicenceException[] {
  const parsed = exceptionsFile.safeParse(JSON.parse(fs.readFileSync(file, "utf8")));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`)).join("");
      const what =
        issue.code === "unrecognized_keys"
          ? `has unknown key ${issue.keys.join(", ")} (allowed: ecosystem, tool, name, reason)`
          : issue.code === "invalid_type" && issue.received === "undefined"
            ? "is required"
            : issue.message;
      return `${file}: ${key.replace(/^\./, "")} ${what}`;
    });
    throw new Error(problems.join("\n"));
  }
  return parsed.data.exceptions;
}
