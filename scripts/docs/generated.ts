// The generated pages under docs/ and the generated parts of the others: what they contain, built in
// memory so that `npm run docs` writes them and a unit test can tell when the committed copies are
// stale.
import { instance } from "@viz-js/viz";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parsePulumiConfig } from "../../config/load";
import { stackConfigSchema } from "../../config/schema";
import { wiringGraph } from "../../components/wiring/graph";
import { PROJECT_ROOT, renderStack } from "../../render/renderStack";
import { readStackFile } from "../../render/stackFile";
import { schemaReference } from "./schemaReference";
import { configReference } from "./configReference";
import { keptReleases, recordRender } from "../../render/upgradeRecords";
import { renderUpgraded } from "../../render/upgradeEdits";
import { DocStacks, docFigures } from "./figures";
import { DAY_TWO_REGIONS, DayTwoResult, dayTwoFigures } from "./dayTwo";
import { fillRegions, regionContent, regionNames } from "./regions";
import { severityTable } from "./severityTable";
import { sloInputFigures } from "./sloInputs";
import { wiringDot } from "./wiringDiagram";

/** What the upgrade notes call this program, which no release has shipped yet. */
export const THIS_RELEASE = "this release";

/** The stack the architecture picture is drawn for: production, with both collector tiers. */
const DIAGRAM_STACK = "prod";

export interface GeneratedFile {
  readonly path: string;
  readonly content: string;
}

/** The Markdown pages that may hold marked figures: the README and every page under docs/. */
function markdownPages(): string[] {
  const docs = fs
    .readdirSync(path.join(PROJECT_ROOT, "docs"), { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".md"))
    .map((file) => path.join(PROJECT_ROOT, "docs", file));
  return [path.join(PROJECT_ROOT, "README.md"), ...docs];
}

/** Pages as Prettier (the project's config) writes them: a figure can change a table's widths. */
export function formatted(pages: readonly GeneratedFile[]): GeneratedFile[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "docs-"));
  try {
    const files = pages.map((_, i) => path.join(dir, `${i}.md`));
    pages.forEach((page, i) => fs.writeFileSync(files[i], page.content));
    const run = spawnSync(
      path.join(PROJECT_ROOT, "node_modules", ".bin", "prettier"),
      ["--config", path.join(PROJECT_ROOT, ".prettierrc.json"), "--log-level", "warn", "--write", ...files],
      { cwd: dir, encoding: "utf8" },
    );
    if (run.status !== 0) {
      throw new Error(`prettier failed on the generated pages: ${run.stderr}`);
    }
    return pages.map((page, i) => ({ path: page.path, content: fs.readFileSync(files[i], "utf8") }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The committed stacks' renders, and this program's of the newest kept release's stack files. */
async function renderDocStacks(): Promise<DocStacks> {
  const latest = keptReleases().at(-1) ?? "";
  return {
    kind: await renderStack("kind"),
    prod: await renderStack("prod"),
    latestRelease: {
      kind: await recordRender(THIS_RELEASE, "kind", () => renderUpgraded("kind", latest)),
      prod: await recordRender(THIS_RELEASE, "prod", () => renderUpgraded("prod", latest)),
    },
  };
}

/**
 * Every page with marked figures, filled with the figures of `stacks` (rendered here when not
 * given). The day-two table and the review sample are filled from `dayTwo`, the reviews of the
 * day-two edits; without them they are left as they are (tests/scenarios/dayTwoEdits.test.ts holds
 * them to the reviews).
 */
async function pagesWithFigures(
  stacks?: DocStacks,
  dayTwo?: readonly DayTwoResult[],
): Promise<GeneratedFile[]> {
  const pages = markdownPages()
    .map((file) => ({ path: file, text: fs.readFileSync(file, "utf8") }))
    .filter((page) => regionNames(page.text).length > 0);
  const rendered = stacks ?? (await renderDocStacks());
  const figures = { ...docFigures(rendered), ...sloInputFigures(), "severity-table": severityTable() };
  const reviewed = dayTwo === undefined ? undefined : dayTwoFigures(dayTwo);
  const asTheyAre = (page: string) =>
    Object.fromEntries(
      DAY_TWO_REGIONS.flatMap((name) => {
        const content = regionContent(page, name);
        return content === undefined ? [] : [[name, content]];
      }),
    );
  return formatted(
    pages.map((page) => ({
      path: page.path,
      content: fillRegions(
        page.text,
        { ...figures, ...(reviewed ?? asTheyAre(page.text)) },
        path.relative(PROJECT_ROOT, page.path),
      ),
    })),
  );
}

export async function generatedDocs(
  stacks?: DocStacks,
  dayTwo?: readonly DayTwoResult[],
): Promise<GeneratedFile[]> {
  const { config, secretKeys } = readStackFile(DIAGRAM_STACK, PROJECT_ROOT);
  const dot = wiringDot(
    wiringGraph(parsePulumiConfig(config, secretKeys)),
    `Who talks to whom: stack ${DIAGRAM_STACK} (Pulumi.${DIAGRAM_STACK}.yaml)`,
  );
  const viz = await instance();
  return [
    {
      path: path.join(PROJECT_ROOT, "docs", "configuration.md"),
      content: configReference(stackConfigSchema),
    },
    {
      path: path.join(PROJECT_ROOT, "docs", "architecture.svg"),
      content: viz.renderString(dot, { format: "svg" }),
    },
    ...schemaReference(),
    ...(await pagesWithFigures(stacks, dayTwo)),
  ];
}
