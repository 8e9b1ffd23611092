// The committed reference pages are what `npm run docs` would write now: a schema key, a profile
// default or a flow of the wiring graph changed without regenerating them fails here. The API
// reference (docs/api/, TypeDoc) is checked by npm run test:examples: TypeDoc alone takes longer
// than this suite can spare.
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "../../render/renderStack";
import { generatedDocs } from "../../scripts/docs/generated";

describe("generated docs", () => {
  let files: Awaited<ReturnType<typeof generatedDocs>>;
  beforeAll(async () => {
    files = await generatedDocs();
  });

  it.each(["docs/configuration.md", "docs/architecture.svg"])("%s is current (npm run docs)", (page) => {
    const file = files.find((f) => f.path === path.join(PROJECT_ROOT, page));
    expect(file).toBeDefined();
    expect(fs.readFileSync(path.join(PROJECT_ROOT, page), "utf8")).toBe(file?.content);
  });
});
