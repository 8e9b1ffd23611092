// What each upgrade's preview shows, for docs/day-two.md: the previous release's stack files as its
// own program rendered them against how the next release's program renders them (both recorded in
// tests/support/upgrades/<release>/renders/), and for the newest kept release, against this program's
// render now.
import { StackName } from "../../tests/kit/stacks";
import { RecordedRender, keptReleases, recordedRender } from "../../render/upgradeRecords";
import { upgradeChanges } from "../../render/upgradeDigest";

/** This program's renders of the newest kept release's stack files. */
export type LatestRenders = Readonly<Record<StackName, RecordedRender>>;

const shown = (key: string) => `\`${key}\``;

const list = (keys: readonly string[]) =>
  keys.length === 0 ? "none" : `${keys.length} (${keys.map(shown).join(", ")})`;

function stackLine(stack: StackName, before: RecordedRender, after: RecordedRender): string {
  if (after.refused !== undefined) {
    const keys = after.refused.map(
      (problem) => `\`${problem.split(" ")[0].replace(/^observability:/, "")}\``,
    );
    return `- ${stack}: refused until edited (${keys.join(", ")})`;
  }
  if (before.objects === undefined || after.objects === undefined) {
    throw new Error(
      `no recorded objects for the ${stack} upgrade from ${before.program} to ${after.program}`,
    );
  }
  const changes = upgradeChanges(before.objects, after.objects);
  const { created, deleted, replaced, updated } = changes;
  if ([created, deleted, replaced, updated].every((keys) => keys.length === 0)) {
    return `- ${stack}: renders unchanged`;
  }
  return `- ${stack}: created ${list(changes.created)}; deleted ${list(changes.deleted)}; replaced ${list(changes.replaced)}; updated in place ${list(changes.updated)}`;
}

function note(
  release: string,
  next: string,
  renders: Readonly<Record<StackName, [RecordedRender, RecordedRender]>>,
) {
  return [
    `What the preview shows, from the objects each program renders from \`tests/support/upgrades/${release}/\`'s stack files (${release}'s and ${next}'s; secrets' values not compared):`,
    "",
    ...Object.entries(renders).map(([stack, [before, after]]) =>
      stackLine(stack as StackName, before, after),
    ),
  ].join("\n");
}

/**
 * `upgrade-<release>`: the note for upgrading from each kept release whose own render and its
 * successor's are recorded, and from the newest one to this program.
 */
export function upgradeNotes(latest: LatestRenders): Record<string, string> {
  const releases = keptReleases();
  const notes: Record<string, string> = {};
  const stacks = Object.keys(latest) as StackName[];
  releases.forEach((release, i) => {
    const next = releases[i + 1];
    const pairs = stacks.map((stack): [StackName, [RecordedRender, RecordedRender] | undefined] => {
      const before = recordedRender(release, release, stack);
      const after = next === undefined ? latest[stack] : recordedRender(release, next, stack);
      return [stack, before === undefined || after === undefined ? undefined : [before, after]];
    });
    if (pairs.every(([, pair]) => pair !== undefined)) {
      notes[`upgrade-${release}`] = note(
        release,
        next ?? "this release",
        Object.fromEntries(pairs) as Record<StackName, [RecordedRender, RecordedRender]>,
      );
    }
  });
  return notes;
}
