// The API reference (docs/api/): the package's exports as lib.ts declares them, their args and doc
// comments, written by TypeDoc and its Markdown plugin with the options in typedoc.json; the stack
// config's keys, nested in the args, described as docs/configuration.md describes them.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stackConfigSchema } from "../../config/schema";
import { keyDocs } from "./configReference";
import type { GeneratedFile } from "./generated";

const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

/** Where the reference lives: one page per export, README.md the index. */
export const API_REFERENCE_DIR = path.join(PROJECT_ROOT, "docs", "api");

/** Every file under `dir`, by path relative to it. */
function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

/**
 * The pages TypeDoc writes now, as files of docs/api/, and what it warned about (exports whose
 * types name types the package does not export).
 */
export function apiReference(): { files: GeneratedFile[]; warnings: string[] } {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "api-reference-"));
  const keys = path.join(out, "..", `${path.basename(out)}-config-keys.json`);
  try {
    fs.writeFileSync(keys, JSON.stringify(keyDocs(stackConfigSchema)));
    const typedoc = spawnSync(
      path.join(PROJECT_ROOT, "node_modules", ".bin", "typedoc"),
      ["--options", path.join(PROJECT_ROOT, "typedoc.json"), "--out", out],
      { cwd: PROJECT_ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", CONFIG_KEYS_FILE: keys } },
    );
    if (typedoc.status !== 0) {
      throw new Error(`typedoc failed:\n${typedoc.stdout}${typedoc.stderr}`);
    }
    const files = filesUnder(out).map((file) => ({
      path: path.join(API_REFERENCE_DIR, file),
      content: fs.readFileSync(path.join(out, file), "utf8"),
    }));
    const warnings = typedoc.stderr
      .split("\n")
      .filter((line) => line.startsWith("[warning]") && !/Found \d+ errors/.test(line));
    return { files, warnings };
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
    fs.rmSync(keys, { force: true });
  }
}

/** The files docs/api/ holds now, by path. */
export function committedApiReference(): string[] {
  return fs.existsSync(API_REFERENCE_DIR)
    ? filesUnder(API_REFERENCE_DIR).map((f) => path.join(API_REFERENCE_DIR, f))
    : [];
}
