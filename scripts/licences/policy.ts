// Which licences the project may build, fetch or run: everything but the AGPL, the SSPL, the
// Business Source License, the Commons Clause, and no licence at all. A licence is an SPDX ID (as
// licensecheck and package manifests name them) or an SPDX expression (`MIT OR Apache-2.0`,
// `Apache-2.0 AND MIT`, `GPL-2.0 WITH Classpath-exception-2.0`).

/** Why a licence ID is refused, or undefined when it may be used. */
export function refusedLicence(id: string): string | undefined {
  if (/^AGPL/i.test(id)) return "the AGPL";
  if (/^SSPL/i.test(id)) return "the SSPL";
  if (/^(BUSL|BSL-1\.1$)|Business Source/i.test(id)) return "the Business Source License";
  if (/Commons[- ]?Clause/i.test(id)) return "the Commons Clause";
  return undefined;
}

/** An expression's words: "(", ")", the operators AND, OR, WITH, and licence IDs. */
function tokens(expression: string): string[] {
  return expression
    .replace(/[()]/g, " $& ")
    .trim()
    .split(/\s+/)
    .filter((t) => t !== "");
}

/**
 * Why an SPDX expression is refused: AND needs every part allowed, OR any one, WITH takes its
 * licence's verdict. Undefined when it may be used. An empty expression is no licence at all.
 */
export function refusedExpression(expression: string): string | undefined {
  const list = tokens(expression);
  if (list.length === 0) return "no licence at all";
  let at = 0;
  // Each parser returns the reasons its part is refused: empty when allowed.
  const orExpression = (): string[] => {
    const alternatives = [andExpression()];
    while (list[at]?.toUpperCase() === "OR") {
      at++;
      alternatives.push(andExpression());
    }
    return alternatives.some((reasons) => reasons.length === 0) ? [] : alternatives.flat();
  };
  const andExpression = (): string[] => {
    const parts = [term()];
    while (list[at]?.toUpperCase() === "AND") {
      at++;
      parts.push(term());
    }
    return parts.flat();
  };
  const term = (): string[] => {
    const token = list[at++];
    if (token === "(") {
      const inner = orExpression();
      at++; // ")"
      return withException(inner);
    }
    if (token === undefined || token === ")") return ["no licence at all"];
    const reason = refusedLicence(token);
    return withException(reason === undefined ? [] : [reason]);
  };
  const withException = (reasons: string[]): string[] => {
    if (list[at]?.toUpperCase() === "WITH") {
      const exception = list[at + 1] ?? "";
      at += 2;
      const reason = refusedLicence(exception);
      return reason === undefined ? reasons : [...reasons, reason];
    }
    return reasons;
  };
  const reasons = [...new Set(orExpression())];
  return reasons.length === 0 ? undefined : reasons.join(", ");
}
