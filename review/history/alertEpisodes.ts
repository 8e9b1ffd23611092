// How an alerting rule's alerts would have fired, from what its expression answered at each of the
// group's evaluations: Prometheus' own state machine (rules/alerting.go, AlertingRule.Eval) replayed.

export type Labels = Readonly<Record<string, string>>;

/** What the expression answered at each evaluation: the label set of each series it returned, by when. */
export interface Answers {
  /** The evaluation times, in Unix seconds, ascending: one every group interval. */
  readonly times: readonly number[];
  /** Each series the expression returned at some evaluation: its labels and the times it did, ascending. */
  readonly series: readonly { readonly labels: Labels; readonly at: readonly number[] }[];
}

export interface Timing {
  /** `for`: how long an alert is pending before it fires. */
  readonly forSeconds: number;
  /** `keep_firing_for`: how long a firing alert goes on firing once its expression stops answering. */
  readonly keepFiringForSeconds: number;
}

/** One firing alert, from the evaluation that fired it to the one that resolved it. */
export interface Episode {
  readonly labels: Labels;
  readonly firedAt: number;
  /** The evaluation that found it resolved; the last evaluation when it still fired then. */
  readonly resolvedAt: number;
  readonly ongoing: boolean;
}

interface State {
  activeAt: number;
  firing: boolean;
  firedAt: number;
  keepFiringSince?: number;
}

/**
 * The episodes in which each series' alert fired. At each evaluation, as Prometheus does: a series
 * answered and not active becomes pending (active since then); a pending alert fires once active
 * for `for`; an alert whose series is no longer answered resolves, unless it is firing and
 * `keep_firing_for` has not passed since it was first missed.
 */
export function firingEpisodes(answers: Answers, timing: Timing): Episode[] {
  const episodes: Episode[] = [];
  const last = answers.times.at(-1);
  for (const { labels, at } of answers.series) {
    let state: State | undefined;
    let next = 0;
    for (const t of answers.times) {
      while (next < at.length && at[next] < t) next++;
      if (at[next] === t) {
        state ??= { activeAt: t, firing: false, firedAt: 0 };
        state.keepFiringSince = undefined;
      } else if (state !== undefined) {
        let keepFiring = false;
        if (state.firing && timing.keepFiringForSeconds > 0) {
          state.keepFiringSince ??= t;
          keepFiring = t - state.keepFiringSince < timing.keepFiringForSeconds;
        }
        if (!keepFiring) {
          if (state.firing) episodes.push({ labels, firedAt: state.firedAt, resolvedAt: t, ongoing: false });
          state = undefined;
          continue;
        }
      }
      if (state !== undefined && !state.firing && t - state.activeAt >= timing.forSeconds) {
        state.firing = true;
        state.firedAt = t;
      }
    }
    if (state?.firing === true && last !== undefined) {
      episodes.push({ labels, firedAt: state.firedAt, resolvedAt: last, ongoing: true });
    }
  }
  return episodes.sort((a, b) => a.firedAt - b.firedAt);
}
