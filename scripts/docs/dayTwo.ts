// docs/day-two.md's table of what each config edit does: `npm run review`'s verdict on each edit of
// tests/kit/dayTwoEdits.ts, made alone on each committed stack file.
import { readStackFile } from "../../render/stackFile";
import { PROJECT_ROOT } from "../../render/renderStack";
import { Side, compare } from "../../review/compare";
import { StackConfig, configSide } from "../../review/configEdit";
import { formatReview } from "../../review/format";
import { Review } from "../../review/review";
import { summary } from "../../review/summary";
import { DAY_TWO_EDITS, DayTwoEdit } from "../../tests/kit/dayTwoEdits";
import { STACKS, StackName } from "../../tests/kit/stacks";

/** The edit whose review docs/review.md shows as a pull request's comment would: a team's rule files, on prod. */
const SAMPLE = { keys: "metrics.extraRuleFiles", stack: "prod" } as const;

export interface DayTwoResult {
  readonly edit: DayTwoEdit;
  readonly reviews: Readonly<Record<StackName, Review>>;
}

/**
 * Reviews edits one at a time on either stack, against the committed stack file; `promtool` checks
 * the rules. Each stack's committed render is made once, at its first review.
 */
export function dayTwoReviewer(promtool: string): (edit: DayTwoEdit, stack: StackName) => Promise<Review> {
  const bases = new Map<StackName, Promise<{ committed: StackConfig; side: Side }>>();
  const baseOf = (stack: StackName) => {
    let base = bases.get(stack);
    if (base === undefined) {
      const committed = readStackFile(stack, PROJECT_ROOT);
      base = configSide(stack, committed).then((side) => ({ committed, side }));
      bases.set(stack, base);
    }
    return base;
  };
  return async (edit, stack) => {
    const { committed, side } = await baseOf(stack);
    const start = edit.from?.(committed);
    const before = start === undefined ? side : await configSide(stack, start);
    return compare(stack, before, await configSide(stack, edit.edit(start ?? committed), before), promtool);
  };
}

/** Each edit reviewed on each stack, against the committed stack file; `promtool` checks the rules. */
export async function reviewDayTwoEdits(
  promtool: string,
  edits: readonly DayTwoEdit[] = DAY_TWO_EDITS,
): Promise<DayTwoResult[]> {
  const review = dayTwoReviewer(promtool);
  const results: DayTwoResult[] = [];
  for (const edit of edits) {
    const reviews: Partial<Record<StackName, Review>> = {};
    for (const stack of STACKS) reviews[stack] = await review(edit, stack);
    results.push({ edit, reviews: reviews as Record<StackName, Review> });
  }
  return results;
}

const cell = (text: string) => text.replace(/\|/g, "\\|");

/** The table, one row per edit: the keys, and per stack the verdict and what the review says. */
export function dayTwoTable(results: readonly DayTwoResult[]): string {
  return [
    `| edit | keys | ${STACKS.map((stack) => `\`${stack}\``).join(" | ")} |`,
    `| --- | --- | ${STACKS.map(() => "---").join(" | ")} |`,
    ...results.map(
      ({ edit, reviews }) =>
        `| ${cell(edit.title)} | ${edit.keys.map((key) => `\`${key}\``).join(", ")} | ${STACKS.map(
          (stack) => `**${reviews[stack].verdict}**: ${cell(summary(reviews[stack]))}`,
        ).join(" | ")} |`,
    ),
  ].join("\n");
}

/** The review of one pull-request-sized change (SAMPLE), as the workflow posts it. */
function reviewSample(results: readonly DayTwoResult[]): string {
  const sample = results.find((r) => r.edit.keys.includes(SAMPLE.keys));
  if (sample === undefined) throw new Error(`no day-two edit sets ${SAMPLE.keys}`);
  return [
    "```markdown",
    formatReview([sample.reviews[SAMPLE.stack]], "markdown", "main", []).trim(),
    "```",
  ].join("\n");
}

/** The docs' regions the reviews of the day-two edits fill, by name. */
export function dayTwoFigures(results: readonly DayTwoResult[]): Record<string, string> {
  return { "day-two-edits": dayTwoTable(results), "review-sample": reviewSample(results) };
}

/** The names of those regions, which a docs build without the reviews leaves as they are. */
export const DAY_TWO_REGIONS = ["day-two-edits", "review-sample"] as const;
