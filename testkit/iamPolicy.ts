// IAM's evaluation of an identity policy for one request, as AWS documents it: an explicit Deny
// wins, then any Allow whose Action and Resource both match; nothing else is allowed. Actions match
// case-insensitively, resources case-sensitively, both with IAM's wildcards (* any run, ? one).

interface Statement {
  readonly Effect: "Allow" | "Deny";
  readonly Action: string | readonly string[];
  readonly Resource: string | readonly string[];
}

const listed = (value: string | readonly string[]): readonly string[] =>
  typeof value === "string" ? [value] : value;

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
  const matches = (s: Statement) =>
    listed(s.Action).some((a) => wildcard(a, action, true)) &&
    listed(s.Resource).some((r) => wildcard(r, resource, false));
  return (
    !policy.Statement.some((s) => s.Effect === "Deny" && matches(s)) &&
    policy.Statement.some((s) => s.Effect === "Allow" && matches(s))
  );
}
