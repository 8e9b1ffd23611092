// Every distribution installed in a PyPI tool's virtualenv (Checkov, the Pulumi Python SDK:
// scripts/tools/*.sh) with its licence: the metadata's License-Expression; else what licensecheck
// reads in the licence files the distribution ships; else its licence classifiers; else its
// License field.
import * as fs from "fs";
import * as path from "path";
import { Classify } from "./goPackages";
import { licenceOf } from "./classifier";

export interface PypiPackage {
  readonly tool: string;
  readonly name: string;
  readonly version: string;
  readonly licence: string;
  readonly source: string;
}

/** Trove licence classifiers as SPDX IDs. */
const CLASSIFIERS: Readonly<Record<string, string>> = {
  "License :: OSI Approved :: MIT License": "MIT",
  "License :: OSI Approved :: Apache Software License": "Apache-2.0",
  "License :: OSI Approved :: BSD License": "BSD",
  "License :: OSI Approved :: ISC License (ISCL)": "ISC",
  "License :: OSI Approved :: Python Software Foundation License": "PSF-2.0",
  "License :: OSI Approved :: Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
  "License :: OSI Approved :: GNU Affero General Public License v3": "AGPL-3.0",
  "License :: OSI Approved :: GNU Affero General Public License v3 or later (AGPLv3+)": "AGPL-3.0-or-later",
};

/** The header fields of a METADATA file (RFC 822: continuation lines start with white space). */
function metadataFields(text: string): [string, string][] {
  const header = text.split(/\r?\n\r?\n/)[0];
  const fields: [string, string][] = [];
  for (const line of header.split(/\r?\n/)) {
    if (/^\s/.test(line) && fields.length > 0) {
      fields[fields.length - 1][1] += `\n${line.trim()}`;
    } else {
      const colon = line.indexOf(":");
      if (colon > 0) fields.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
    }
  }
  return fields;
}

function licenceFilesOf(distInfo: string): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory() && entry.name === "licenses") walk(full);
      else if (entry.isFile() && (dir !== distInfo || /^(licen[cs]e|copying|notice)/i.test(entry.name)))
        files.push(full);
    }
  };
  walk(distInfo);
  return files.sort();
}

export function pypiPackageLicences(tool: string, venv: string, classify: Classify): PypiPackage[] {
  const lib = path.join(venv, "lib");
  const sitePackages = fs
    .readdirSync(lib)
    .filter((d) => d.startsWith("python"))
    .map((d) => path.join(lib, d, "site-packages"));
  const dists = sitePackages.flatMap((dir) =>
    fs
      .readdirSync(dir)
      .filter((d) => d.endsWith(".dist-info"))
      .map((d) => path.join(dir, d)),
  );
  const read = dists.map((distInfo) => {
    const fields = metadataFields(fs.readFileSync(path.join(distInfo, "METADATA"), "utf8"));
    const get = (key: string) =>
      fields.filter(([k]) => k.toLowerCase() === key.toLowerCase()).map(([, v]) => v);
    return {
      distInfo,
      name: get("Name")[0] ?? path.basename(distInfo),
      version: get("Version")[0] ?? "",
      expression: get("License-Expression")[0] ?? "",
      classifiers: get("Classifier").flatMap((c) => (CLASSIFIERS[c] === undefined ? [] : [CLASSIFIERS[c]])),
      field: get("License")[0] ?? "",
      files: licenceFilesOf(distInfo),
    };
  });
  const classified = classify(read.flatMap((r) => r.files));
  return read
    .map(({ distInfo, name, version, expression, classifiers, field, files }): PypiPackage => {
      const base = { tool, name, version };
      if (expression !== "") return { ...base, licence: expression, source: "License-Expression" };
      const ids = [...new Set(files.flatMap((file) => classified.get(file)?.ids ?? []))];
      if (ids.length > 0) {
        return {
          ...base,
          licence: licenceOf({ ids, percent: 0 }),
          source: files.map((f) => path.relative(distInfo, f)).join(", "),
        };
      }
      if (classifiers.length > 0)
        return { ...base, licence: [...new Set(classifiers)].join(" OR "), source: "classifiers" };
      const short = field.split("\n")[0];
      return {
        ...base,
        licence: /^[A-Za-z0-9.+-]+$/.test(short) ? short : "",
        source: field === "" ? "none" : "License field",
      };
    })
    .sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()));
}
