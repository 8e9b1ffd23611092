/** The header that names a Loki tenant on every push and query, when multi-tenancy is on. */
export const TENANT_HEADER = "X-Scope-OrgID";
