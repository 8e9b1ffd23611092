// A repository that licenses folders apart says so in a LICENSING.md at its root (Loki's: "The
// following folders and their subfolders are licensed under Apache-2.0:" under a `## Apache-2.0`
// heading, then the folders in a fenced block). This reads those lists: folder → SPDX ID. Folders
// listed as under "their original upstream licenses" keep the licence files they hold.
import * as fs from "fs";
import * as path from "path";

export const LICENSING_FILE = "LICENSING.md";

/** The folders a LICENSING.md licenses apart, relative to its directory, without a trailing slash. */
export function folderLicences(text: string): Map<string, string> {
  const folders = new Map<string, string>();
  let licence: string | undefined;
  let upstream = false;
  let fenced = false;
  for (const line of text.split("\n")) {
    const heading = /^##\s+(\S+)\s*$/.exec(line);
    if (!fenced && heading !== null) {
      licence = heading[1];
      upstream = false;
      continue;
    }
    if (!fenced && /original upstream licen[cs]es/i.test(line)) upstream = true;
    if (line.trim().startsWith("```")) {
      fenced = !fenced;
      continue;
    }
    const folder = line.trim().replace(/\/+$/, "");
    if (fenced && folder !== "" && licence !== undefined && !upstream) {
      folders.set(folder, licence);
    }
  }
  return folders;
}

/** The LICENSING.md folder list of a module's root directory, if it has one. */
export function moduleFolderLicences(moduleDir: string): Map<string, string> {
  const file = path.join(moduleDir, LICENSING_FILE);
  return fs.existsSync(file) ? folderLicences(fs.readFileSync(file, "utf8")) : new Map<string, string>();
}
