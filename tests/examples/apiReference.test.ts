// The committed API reference (docs/api/) is what `npm run docs` writes now: an export, an arg or a
// doc comment changed without regenerating it fails here. TypeDoc takes longer than npm test can
// spare, so this tier holds the check (tests/unit/docs/generatedDocs.test.ts holds the other pages').
import * as fs from "fs";
import * as path from "path";
import { apiReference, committedApiReference } from "../../scripts/docs/apiReference";

test("docs/api/ is current (npm run docs)", () => {
  const { files } = apiReference();
  const root = path.resolve(__dirname, "../..");
  const relative = (file: string) => path.relative(root, file);
  expect(committedApiReference().map(relative)).toEqual(files.map((f) => relative(f.path)));
  const stale = files
    .filter((f) => fs.readFileSync(f.path, "utf8") !== f.content)
    .map((f) => relative(f.path));
  expect(stale).toEqual([]);
  expect(files.map((f) => relative(f.path))).toEqual(
    expect.arrayContaining([
      "docs/api/components/classes/MetricsStack.md",
      "docs/api/components/interfaces/MetricsStackArgs.md",
      "docs/api/testing/functions/renderProgram.md",
    ]),
  );
});

test("docs/api/ reads: every page under 30 KB, and every object a program gives has a name", () => {
  const pages = committedApiReference().map((file) => ({ file, text: fs.readFileSync(file, "utf8") }));
  const sizes = pages.map((p) => ({ page: path.basename(p.file), bytes: Buffer.byteLength(p.text) }));
  const largest = sizes.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  console.log(`${pages.length} pages, the largest ${largest.page}: ${largest.bytes} bytes`);
  expect(sizes.filter((s) => s.bytes >= 30 * 1024)).toEqual([]);
  // The validated config's pages (`…Config`) show what the program reads, not what it gives.
  const given = pages.filter((p) => !/Config\.md$/.test(p.file));
  expect(
    given.filter((p) => /`object`\[\]|& `object`/.test(p.text)).map((p) => path.basename(p.file)),
  ).toEqual([]);
});
