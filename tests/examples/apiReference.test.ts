// The committed API reference (docs/api/) is what `npm run docs` writes now: an export, an arg or a
// doc comment changed without regenerating it fails here. TypeDoc takes longer than npm test can
// spare, so this tier holds the check (tests/docs/generatedDocs.test.ts holds the other pages').
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
    expect.arrayContaining(["docs/api/classes/MetricsStack.md", "docs/api/interfaces/MetricsStackArgs.md"]),
  );
});
