// IAM's answer to one request under an identity policy of Allow statements (all the preflight
// prints): allowed when a statement's Action and Resource both match. Actions match
// case-insensitively, resources case-sensitively, both with IAM's wildcards (* any run, ? one).

interface Statement {
  readonly Effect: "Allow";
  readonly Action: readonly string[];
  readonly Resource: readonly string[];
}

function wildcard(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = [...pattern]
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${source}$`, ignoreCase ? "i" : "").test(value);
}

/** Whether `policy` lets its holder do `action` on `resource`. */
export function policyAllows(
  policy: { readonly Statement: readonly Statement[] },
  action: string,
  resource: string,
): boolean {
  return policy.Statement.some(
    (s) =>
      s.Action.some((a) => wildcard(a, action, true)) && s.Resource.some((r) => wildcard(r, resource, false)),
  );
}
