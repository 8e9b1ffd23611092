// One stack as two revisions (or two configs) render it, reviewed: the change from the first to the second.
import type { RevisionRender } from "../render/revision";
import { ConfigKeys, Review, review } from "./review";
import { promtoolProblems } from "../checks/promtoolRules";
import { Snapshot, snapshotOf } from "./snapshot";

/** A render of the stack, and its stack-config keys as review reads them. */
export interface Side {
  readonly render: RevisionRender;
  readonly keys: ConfigKeys;
}

function snapshot(stack: string, render: RevisionRender): Snapshot {
  return snapshotOf(stack, render, {
    ...(render.flows === undefined ? {} : { flows: render.flows }),
    ...(render.refused === undefined ? {} : { refused: render.refused }),
  });
}

/** Reviews `before` → `after`; a rule file promtool (at `promtool`) refuses refuses the change. */
export async function compare(stack: string, before: Side, after: Side, promtool: string): Promise<Review> {
  const reviewed = review(snapshot(stack, before.render), snapshot(stack, after.render), {
    before: before.keys,
    after: after.keys,
  });
  const rules = await promtoolProblems(after.render.registrations, promtool);
  return rules.length === 0
    ? reviewed
    : { ...reviewed, verdict: "refused", refused: [...reviewed.refused, ...rules] };
}
