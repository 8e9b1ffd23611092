import type { SyntaxNode } from "@lezer/common";
import { parser } from "@prometheus-io/lezer-promql";

/**
 * `expression` with `matcher` (`cluster="prod"`) added to every selector, so that it reads only the
 * series that carry it: a ruler over a Thanos Query that also reads other clusters' stores (a hub)
 * records this cluster's figures, not every cluster's summed.
 */
export function withMatcher(expression: string, matcher: string): string {
  const edits: { at: number; text: string }[] = [];
  parser.parse(expression).iterate({
    enter: (node) => {
      if (node.name !== "VectorSelector") return undefined;
      const matchers: SyntaxNode | null = node.node.getChild("LabelMatchers");
      if (matchers === null) {
        edits.push({ at: node.to, text: `{${matcher}}` });
      } else {
        const empty = expression.slice(matchers.from + 1, matchers.to - 1).trim() === "";
        edits.push({ at: matchers.from + 1, text: empty ? matcher : `${matcher}, ` });
      }
      return false;
    },
  });
  return edits
    .sort((a, b) => b.at - a.at)
    .reduce((text, edit) => text.slice(0, edit.at) + edit.text + text.slice(edit.at), expression);
}
