// The committed docs are what `npm run docs` would write now: the reference pages (config keys,
// the wiring picture) and every figure and sample the code determines, marked in the pages
// (scripts/docs/regions.ts). A schema key, a flow, a rule, a workload, a check or a line of
// `npm run up`'s first look changed without regenerating them fails here, naming the page. The API
// reference (docs/api/, TypeDoc) is checked by npm run test:examples: TypeDoc alone takes longer
// than this suite can spare.
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../../../render/renderStack";
import { THIS_RELEASE, generatedDocs } from "../../../scripts/docs/generated";
import { recordRender } from "../../../render/upgradeRecords";
import { verifyCheckNames } from "../../../scripts/docs/verifySample";
import { fillRegions, regionNames } from "../../../scripts/docs/regions";
import { verifyExpectations } from "../../../scripts/verify/expectations";
import { rendered, renderedLatestRelease, stackConfig } from "../../support/renderedStacks";

describe("generated docs", () => {
  let files: Awaited<ReturnType<typeof generatedDocs>>;
  beforeAll(async () => {
    const latest = (stack: "kind" | "prod") =>
      recordRender(THIS_RELEASE, stack, () => renderedLatestRelease(stack));
    files = await generatedDocs({
      kind: await rendered("kind"),
      prod: await rendered("prod"),
      latestRelease: { kind: await latest("kind"), prod: await latest("prod") },
    });
  });

  it("cover the reference pages and every page with a marked figure", () => {
    const pages = files.map((f) => path.relative(PROJECT_ROOT, f.path)).sort();
    expect(pages).toEqual(
      expect.arrayContaining([
        "README.md",
        "docs/architecture.svg",
        "docs/components.md",
        "docs/configuration.md",
        "docs/getting-started.md",
        "docs/platform-coverage.md",
        "docs/testing.md",
      ]),
    );
  });

  const stale = () =>
    files
      .filter((file) => fs.readFileSync(file.path, "utf8") !== file.content)
      .map((file) => path.relative(PROJECT_ROOT, file.path));

  it("are all current (npm run docs): none is stale", () => {
    expect(stale()).toEqual([]);
  });

  it("show where the first stale page differs from what npm run docs writes", () => {
    const first = files.find((file) => stale().includes(path.relative(PROJECT_ROOT, file.path)));
    expect(first === undefined ? "" : fs.readFileSync(first.path, "utf8")).toBe(first?.content ?? "");
  });
});

test("getting-started's table of checks has a row for each check verify runs, in its order", () => {
  const page = fs.readFileSync(path.join(PROJECT_ROOT, "docs/getting-started.md"), "utf8");
  const table = page.slice(page.indexOf("| check "));
  const lines = table.split("\n");
  const rows = lines
    .slice(
      2,
      lines.findIndex((line) => !line.startsWith("|")),
    )
    .map((line) => line.split("|")[1].trim());
  return rendered("kind").then(({ objects }) => {
    expect(rows).toEqual(verifyCheckNames(verifyExpectations(stackConfig("kind"), objects)));
  });
});

describe("marked regions", () => {
  const values = { "kind.workloads": "13", sample: "```text\na\nb\n```" };

  it("are filled inline and as blocks, and nothing else on the page changes", () => {
    const page =
      "We run <!-- figure:kind.workloads -->9<!-- /figure --> workloads.\n\n<!-- generated:sample -->\nold\n<!-- /generated -->\nEnd.\n";
    expect(regionNames(page)).toEqual(["kind.workloads", "sample"]);
    expect(fillRegions(page, values, "page.md")).toBe(
      "We run <!-- figure:kind.workloads -->13<!-- /figure --> workloads.\n\n<!-- generated:sample -->\n\n```text\na\nb\n```\n\n<!-- /generated -->\nEnd.\n",
    );
  });

  it("naming no known figure are an error naming the page and the name", () => {
    expect(() => fillRegions("<!-- figure:kind.workload -->9<!-- /figure -->", values, "docs/x.md")).toThrow(
      "docs/x.md: no figure or sample named kind.workload (known: kind.workloads, sample)",
    );
  });
});
