// docs/licences.md was generated from the current inputs: every file of tools/ (go.mod, go.sum,
// build tags, manifests), the gate's code, package-lock.json, the PyPI tools' install scripts and
// the exceptions. Regenerating it needs every tool's modules downloaded (CI's own step, npm run
// licences -- --check); this holds the page to the digest of those inputs it records.
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../../../render/renderStack";
import { LICENCES_PAGE, inputsDigest, licenceInputs, recordedDigest } from "../../../scripts/licences/page";

const page = () => fs.readFileSync(path.join(PROJECT_ROOT, LICENCES_PAGE), "utf8");

test("docs/licences.md records the digest of the current inputs (else: npm run licences)", () => {
  expect(licenceInputs(PROJECT_ROOT)).toEqual(
    expect.arrayContaining([
      "package-lock.json",
      "tools/alloy/go.sum",
      "tools/otelcol/manifest.yaml",
      "licences/exceptions.json",
    ]),
  );
  expect({ page: LICENCES_PAGE, digest: recordedDigest(page()) }).toEqual({
    page: LICENCES_PAGE,
    digest: inputsDigest(PROJECT_ROOT),
  });
});

test("the page lists every Go tool of tools/, the Go program the tests build, and nothing the gate refused", () => {
  const tools = fs
    .readdirSync(path.join(PROJECT_ROOT, "tools"))
    .filter((t) =>
      ["go.mod", "manifest.yaml"].some((f) => fs.existsSync(path.join(PROJECT_ROOT, "tools", t, f))),
    );
  const listed = [...page().matchAll(/^### ((?:tools\/|examples\/)[^:]+):/gm)].map((m) => m[1]);
  expect(listed).toEqual([...tools.sort().map((t) => `tools/${t}`), "examples/go"]);
  expect(page()).not.toMatch(/^## Refused/m);
});
