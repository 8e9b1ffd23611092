import { StackConfig } from "../../config";

type Sso = NonNullable<StackConfig["grafana"]["sso"]>;
type Role = Sso["roleMapping"][string];

/** Strongest first: a user in several mapped groups gets the strongest of their roles. */
const ROLE_ORDER: readonly Role[] = ["GrafanaAdmin", "Admin", "Editor", "Viewer"];

/** A JMESPath JSON literal: any group name, quotes and backslashes included, reads back as written. */
const jsonLiteral = (text: string) => `\`${JSON.stringify(text).replace(/`/g, "\\`")}\``;

/**
 * Grafana's `role_attribute_path` for a `{group: role}` map: a JMESPath expression over the
 * identity provider's claims that yields the role of the strongest mapped group the user is in,
 * and null otherwise (Grafana then gives its default role, or denies with `roleAttributeStrict`).
 * A user without the groups claim matches no group instead of failing the expression.
 */
export function roleAttributePath(mapping: Readonly<Record<string, Role>>, groupsClaim: string): string {
  const groups = `(${groupsClaim} || \`[]\`)`;
  return Object.entries(mapping)
    .sort(([, a], [, b]) => ROLE_ORDER.indexOf(a) - ROLE_ORDER.indexOf(b))
    .map(([group, role]) => `contains(${groups}, ${jsonLiteral(group)}) && '${role}'`)
    .concat("`null`")
    .join(" || ");
}

/**
 * Grafana's `[auth.<provider>]` section as environment (`GF_AUTH_<PROVIDER>_<KEY>`), the client
 * secret only as a `__FILE` path into the mounted Secret. Lists are space-separated, as Grafana
 * reads them.
 */
export function ssoEnv(sso: Sso, clientSecretFile: string): Record<string, string> {
  const prefix = `GF_AUTH_${sso.provider.toUpperCase()}_`;
  const roles = Object.values(sso.roleMapping);
  const optional: Record<string, string | undefined> = {
    NAME: sso.name,
    SCOPES: sso.scopes?.join(" "),
    AUTH_URL: sso.authUrl,
    TOKEN_URL: sso.tokenUrl,
    API_URL: sso.apiUrl,
    ALLOWED_DOMAINS: sso.allowedDomains?.join(" "),
    ALLOWED_GROUPS: sso.allowedGroups?.join(" "),
    ALLOWED_ORGANIZATIONS: sso.allowedOrganizations?.join(" "),
    // Only the generic provider is told where the groups are; the others know their own claims.
    GROUPS_ATTRIBUTE_PATH: sso.provider === "generic_oauth" ? sso.groupsClaim : undefined,
    ROLE_ATTRIBUTE_PATH: roles.length === 0 ? undefined : roleAttributePath(sso.roleMapping, sso.groupsClaim),
  };
  return {
    [`${prefix}ENABLED`]: "true",
    [`${prefix}CLIENT_ID`]: sso.clientId,
    [`${prefix}CLIENT_SECRET__FILE`]: clientSecretFile,
    ...Object.fromEntries(
      Object.entries(optional)
        .filter((entry): entry is [string, string] => entry[1] !== undefined)
        .map(([key, value]) => [`${prefix}${key}`, value]),
    ),
    [`${prefix}ROLE_ATTRIBUTE_STRICT`]: String(sso.roleAttributeStrict),
    [`${prefix}ALLOW_ASSIGN_GRAFANA_ADMIN`]: String(roles.includes("GrafanaAdmin")),
    ...(sso.disableLoginForm ? { GF_AUTH_DISABLE_LOGIN_FORM: "true" } : {}),
  };
}
