// The licence gate's npm and PyPI sides on planted packages (a lockfile with installed packages, a
// virtualenv's dist-info folders), and the licence policy on SPDX expressions.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { licenceClassifier } from "../../../scripts/licences/classifier";
import { npmPackageLicences } from "../../../scripts/licences/npmPackages";
import { refusedExpression } from "../../../scripts/licences/policy";
import { pypiPackageLicences } from "../../../scripts/licences/pypiPackages";
import { tools } from "../../kit/tools";

const text = (licence: string) => fs.readFileSync(path.join(__dirname, "texts", `${licence}.txt`), "utf8");

let dir: string;
const write = (file: string, content: string) => {
  fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  fs.writeFileSync(path.join(dir, file), content);
};
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "licence-packages-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

test("npm: the installed package.json's license (or the file it names), the lockfile's for one not installed, else the licence files", () => {
  write(
    "package-lock.json",
    JSON.stringify({
      lockfileVersion: 3,
      packages: {
        "": { name: "project" },
        "node_modules/mit-field": { version: "1.0.0", license: "MIT" },
        "node_modules/legacy": { version: "2.0.0" },
        "node_modules/sspl-db": { version: "3.0.0" },
        "node_modules/file-only": { version: "4.0.0" },
        "node_modules/bare": { version: "5.0.0" },
        "node_modules/pointer": { version: "7.0.0" },
        "node_modules/other-platform": { version: "6.0.0", license: "BUSL-1.1", optional: true },
        "node_modules/mit-field/node_modules/legacy": { version: "2.0.0" },
      },
    }),
  );
  write("node_modules/mit-field/package.json", JSON.stringify({ license: "MIT" }));
  write(
    "node_modules/legacy/package.json",
    JSON.stringify({ licenses: [{ type: "MIT" }, { type: "Apache-2.0" }] }),
  );
  write(
    "node_modules/mit-field/node_modules/legacy/package.json",
    JSON.stringify({ licenses: [{ type: "MIT" }] }),
  );
  write("node_modules/sspl-db/package.json", JSON.stringify({ license: "SSPL-1.0" }));
  write("node_modules/file-only/package.json", "{}");
  write("node_modules/file-only/LICENSE", text("AGPL-3.0"));
  write("node_modules/bare/package.json", "{}");
  write("node_modules/pointer/package.json", JSON.stringify({ license: "SEE LICENSE IN COPYING.txt" }));
  write("node_modules/pointer/COPYING.txt", text("BSD-3-Clause"));
  const packages = npmPackageLicences(dir, licenceClassifier(tools.licensecheck()));
  expect(packages.map((p) => [p.name, p.version, p.licence, p.source, refusedExpression(p.licence)])).toEqual(
    [
      ["bare", "5.0.0", "", "none", "no licence at all"],
      ["file-only", "4.0.0", "AGPL-3.0", "LICENSE", "the AGPL"],
      ["legacy", "2.0.0", "MIT", "package.json", undefined],
      ["mit-field", "1.0.0", "MIT", "package.json", undefined],
      ["other-platform", "6.0.0", "BUSL-1.1", "package-lock.json", "the Business Source License"],
      ["pointer", "7.0.0", "BSD-3-Clause", "COPYING.txt", undefined],
      ["sspl-db", "3.0.0", "SSPL-1.0", "package.json", "the SSPL"],
    ],
  );
});

test("PyPI: License-Expression, else the shipped licence files, else the classifiers, else the License field", () => {
  const dist = (name: string, headers: string[], files: Record<string, string> = {}) => {
    const info = `lib/python3.12/site-packages/${name}-1.0.dist-info`;
    write(
      `${info}/METADATA`,
      `Metadata-Version: 2.4\nName: ${name}\nVersion: 1.0\n${headers.join("\n")}\n\nBody.\n`,
    );
    for (const [file, content] of Object.entries(files)) write(`${info}/${file}`, content);
  };
  dist("expressed", ["License-Expression: Apache-2.0 AND MIT", "License: ignored"]);
  dist("filed", ["License: see file"], { "licenses/LICENSE": text("BSD-3-Clause") });
  dist("classified", ["Classifier: License :: OSI Approved :: MIT License"]);
  dist("affero", ["Classifier: License :: OSI Approved :: GNU Affero General Public License v3"]);
  dist("fielded", ["License: ISC"]);
  dist("silent", []);
  const packages = pypiPackageLicences("tool", dir, licenceClassifier(tools.licensecheck()));
  expect(packages.map((p) => [p.name, p.licence, p.source, refusedExpression(p.licence)])).toEqual([
    ["affero", "AGPL-3.0", "classifiers", "the AGPL"],
    ["classified", "MIT", "classifiers", undefined],
    ["expressed", "Apache-2.0 AND MIT", "License-Expression", undefined],
    ["fielded", "ISC", "License field", undefined],
    ["filed", "BSD-3-Clause", "licenses/LICENSE", undefined],
    ["silent", "", "none", "no licence at all"],
  ]);
});

test.each([
  ["MIT", undefined],
  ["Apache-2.0 AND MIT", undefined],
  ["(MIT OR AGPL-3.0-only)", undefined],
  ["MIT AND AGPL-3.0-or-later", "the AGPL"],
  ["SSPL-1.0 OR BUSL-1.1", "the SSPL, the Business Source License"],
  ["Apache-2.0 WITH Commons-Clause", "the Commons Clause"],
  ["GPL-2.0-only WITH Classpath-exception-2.0", undefined],
  ["CommonsClause", "the Commons Clause"],
  ["", "no licence at all"],
])("the policy on %j: %s", (expression, refused) => {
  expect(refusedExpression(expression)).toBe(refused);
});
