// One update as three parties see it: the engine's preview, the review tool's verdict on the same
// two configs, and the steps the engine then took. Each gives, per resource URN, whether it is
// created, deleted, updated in place or replaced; the three must agree.
import type { Review } from "../../../review/review";
import { Step } from "./events";

export type Change = "created" | "deleted" | "updated" | "replaced";

/** URN → change: what one party says the update does to each resource it touches. */
export type Changes = ReadonlyMap<string, Change>;

const CHANGE_OF: Readonly<Partial<Record<Step["op"], Change>>> = {
  create: "created",
  delete: "deleted",
  update: "updated",
  replace: "replaced",
  "create-replacement": "replaced",
  "delete-replaced": "replaced",
};

/** The engine's steps as changes: a replacement's create and delete steps are one replacement. */
export function engineChanges(steps: readonly Step[]): Changes {
  const changes = new Map<string, Change>();
  for (const step of steps) {
    const change = CHANGE_OF[step.op];
    if (change !== undefined && changes.get(step.urn) !== "replaced") {
      changes.set(step.urn, change);
    }
  }
  return changes;
}

/** The review's resource changes, by the URN each resource registers under. */
export function reviewChanges(reviewed: Review): Changes {
  return new Map(reviewed.resources.map((r) => [r.urn, r.change]));
}

export interface Disagreement {
  readonly urn: string;
  readonly preview: Change | "nothing";
  readonly review: Change | "nothing";
  readonly up: Change | "nothing";
}

/** Every resource on which the three do not say the same. */
export function disagreements(preview: Changes, review: Changes, up: Changes): Disagreement[] {
  const urns = [...new Set([...preview.keys(), ...review.keys(), ...up.keys()])].sort();
  return urns
    .map(
      (urn): Disagreement => ({
        urn,
        preview: preview.get(urn) ?? "nothing",
        review: review.get(urn) ?? "nothing",
        up: up.get(urn) ?? "nothing",
      }),
    )
    .filter((d) => d.preview !== d.review || d.review !== d.up);
}

/** `created 3, updated 5, replaced 1`: a party's changes counted. */
export function counted(changes: Changes): string {
  const counts = new Map<Change, number>();
  for (const change of changes.values()) counts.set(change, (counts.get(change) ?? 0) + 1);
  return (
    (["created", "deleted", "updated", "replaced"] as const)
      .filter((c) => counts.has(c))
      .map((c) => `${c} ${counts.get(c)}`)
      .join(", ") || "nothing"
  );
}
