import { z } from "zod";
import {
  Identity,
  cidr,
  fromCliText,
  hostPort,
  httpsUrl,
  named,
  nonEmpty,
  orOutput,
  port,
  quantity,
  replicas,
  reportDuplicates,
  secretString,
  strict,
} from "../fields";

/** Grafana's basic roles, and GrafanaAdmin (server admin), which an identity provider's groups may grant. */
const grafanaRole = z.enum(["Viewer", "Editor", "Admin", "GrafanaAdmin"]);

/** The sections of grafana.ini Grafana 12 has for each provider (`[auth.<provider>]`). */
const SSO_PROVIDERS = ["generic_oauth", "github", "google", "okta", "azuread"] as const;

const grafanaSso = strict({
  provider: z.enum(SSO_PROVIDERS).describe("The identity provider: its section of grafana.ini."),
  name: nonEmpty.optional().describe("The login button's label (generic_oauth, okta)."),
  clientId: nonEmpty.describe("The OAuth2 client ID."),
  clientSecret: secretString.describe("The OAuth2 client secret, mounted as a file."),
  scopes: z.array(nonEmpty).optional().describe("Grafana's defaults per provider when unset."),
  authUrl: httpsUrl.optional().describe("Required for generic_oauth, okta and azuread."),
  tokenUrl: httpsUrl.optional().describe("Required for generic_oauth, okta and azuread."),
  apiUrl: httpsUrl.optional().describe("The user-info URL; required for generic_oauth and okta."),
  allowedDomains: z.array(nonEmpty).optional().describe("E-mail domains allowed to log in."),
  allowedGroups: z.array(nonEmpty).optional().describe("Groups allowed to log in."),
  allowedOrganizations: z
    .array(nonEmpty)
    .optional()
    .describe("GitHub organisations, or Entra ID tenant IDs."),
  groupsClaim: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be a claim name such as groups")
    .default("groups")
    .describe("The claim holding the user's groups, read by roleMapping."),
  roleMapping: z
    .record(nonEmpty, grafanaRole)
    .default({})
    .describe(
      "Group to Grafana role; the strongest role of a user's groups wins. Empty for azuread (app roles).",
    ),
  roleAttributeStrict: z
    .boolean()
    .default(false)
    .describe("Deny login to users none of whose groups is mapped (instead of making them Viewers)."),
  disableLoginForm: z
    .boolean()
    .default(false)
    .describe("Turn off the username/password form; the admin API login (basic auth) stays for automation."),
});

/** Providers whose endpoints depend on the tenant: Grafana has no default for them. */
const SSO_ENDPOINTS: Partial<
  Record<(typeof SSO_PROVIDERS)[number], readonly ("authUrl" | "tokenUrl" | "apiUrl")[]>
> = {
  generic_oauth: ["authUrl", "tokenUrl", "apiUrl"],
  okta: ["authUrl", "tokenUrl", "apiUrl"],
  azuread: ["authUrl", "tokenUrl"],
};

/** References between grafana's own keys: endpoints the provider needs, teams and folders permissions name. */
function grafanaReferences(
  value: {
    extraDashboards: readonly { folder: string }[];
    dashboardsFolder: string;
    sso?: z.output<typeof grafanaSso>;
    teams: readonly { name: string }[];
    folderPermissions: readonly { folder: string; team: string }[];
  },
  ctx: z.RefinementCtx,
): void {
  const issue = (path: (string | number)[], message: string) =>
    ctx.addIssue({ code: "custom", path, message });
  const sso = value.sso;
  if (sso !== undefined) {
    for (const key of SSO_ENDPOINTS[sso.provider] ?? []) {
      if (sso[key] === undefined) {
        issue(["sso", key], `is required for provider ${sso.provider}: it depends on your tenant`);
      }
    }
    if (sso.provider === "azuread" && Object.keys(sso.roleMapping).length > 0) {
      issue(
        ["sso", "roleMapping"],
        "must be empty for provider azuread: Entra ID grants Grafana roles through the app registration's app roles",
      );
    }
  }
  reportDuplicates(
    value.extraDashboards.map((d, i) => [i, d.folder] as const),
    ["extraDashboards"],
    ctx,
  );
  value.extraDashboards.forEach((d, i) => {
    if (d.folder === value.dashboardsFolder) {
      issue(
        ["extraDashboards", i, "folder"],
        "must differ from grafana.dashboardsFolder, which holds the stack's own dashboards",
      );
    }
  });
  reportDuplicates(
    value.teams.map((t, i) => [i, t.name] as const),
    ["teams"],
    ctx,
  );
  const listed = (names: readonly string[]) => (names.length === 0 ? "none configured" : names.join(", "));
  const teams = value.teams.map((t) => t.name);
  const folders = value.extraDashboards.map((d) => d.folder);
  value.folderPermissions.forEach((grant, i) => {
    if (!teams.includes(grant.team)) {
      issue(["folderPermissions", i, "team"], `must name one of grafana.teams (${listed(teams)})`);
    }
    if (!folders.includes(grant.folder)) {
      issue(
        ["folderPermissions", i, "folder"],
        `must name the folder of one of grafana.extraDashboards (${listed(folders)})`,
      );
    }
  });
}

const elasticsearchDatasource = strict({
  type: z.literal("elasticsearch"),
  name: nonEmpty.describe("The team's name; unique."),
  url: z.string().url("must be a URL"),
  index: nonEmpty,
  timeField: nonEmpty,
});
/** An Elasticsearch a team already runs, as a datasource of `grafana.extraDatasources`. */
export interface ElasticsearchDatasource extends Identity<z.input<typeof elasticsearchDatasource>> {}
const jaegerDatasource = strict({
  type: z.literal("jaeger"),
  name: nonEmpty,
  url: z.string().url("must be a URL"),
});
/** A Jaeger a team already runs, as a datasource of `grafana.extraDatasources`. */
export interface JaegerDatasource extends Identity<z.input<typeof jaegerDatasource>> {}

const dashboardFolder = strict({
  folder: nonEmpty.describe("The Grafana folder its dashboards are provisioned into."),
  path: nonEmpty.optional().describe("A folder of dashboard JSON files, relative to the project root."),
  dashboards: z
    .record(z.string().regex(/\.json$/, "must end in .json"), z.string())
    .optional()
    .describe("From a program, instead of path: dashboard JSON texts by file name."),
}).superRefine((entry, ctx) => {
  if ((entry.path === undefined) === (entry.dashboards === undefined)) {
    ctx.addIssue({ code: "custom", message: "must give exactly one of path or dashboards" });
  }
});
/** A folder of `grafana.extraDashboards`: dashboards from files under `path`, or given as `dashboards`. */
export interface DashboardFolder extends Identity<z.input<typeof dashboardFolder>> {}

const grafanaTeam = strict({
  name: nonEmpty,
  email: z.string().email("must be an e-mail address").optional().describe("The team's e-mail address."),
  members: z.array(z.string().email("must be an e-mail address")).describe("Members' e-mail addresses."),
});
/** A team of `grafana.teams`, managed through Grafana's API. */
export interface GrafanaTeam extends Identity<z.input<typeof grafanaTeam>> {}

const folderPermission = strict({
  folder: nonEmpty.describe("The title of a folder of grafana.extraDashboards."),
  team: nonEmpty.describe("A team of grafana.teams."),
  permission: z.enum(["View", "Edit", "Admin"]).describe("What the team may do in the folder."),
});
/** A grant of `grafana.folderPermissions`: what a team may do in a folder of extraDashboards. */
export interface FolderPermission extends Identity<z.input<typeof folderPermission>> {}

const grafanaSectionSchema = strict({
  adminUser: nonEmpty.describe("The admin user's name."),
  credentialsRotation: z
    .union([z.string(), fromCliText(z.number())])
    .transform(String)
    .describe("Change this value to replace the admin password."),
  storageSize: quantity.describe("Grafana's volume (unused with a database)."),
  dashboardsFolder: nonEmpty.describe("The Grafana folder of the stack's own dashboards."),
  replicas: replicas(5).describe("Grafana replicas; above 1 needs grafana.database."),
  database: strict({
    host: orOutput(hostPort("grafana-db.example.internal:5432")).describe(
      "host:port of the PostgreSQL database (an RDS instance's endpoint); with it Grafana runs without a volume.",
    ),
    port: port
      .optional()
      .describe(
        "The port Grafana's NetworkPolicy opens to the database: the host's own; required when a program gives the host as an Output.",
      ),
    name: nonEmpty.describe("The database's name."),
    user: nonEmpty.describe("The database user."),
    password: secretString.describe("The database user's password."),
    sslMode: z
      .enum(["disable", "require", "verify-ca", "verify-full"])
      .describe("How Grafana checks the database's TLS."),
    cidrs: z
      .array(cidr)
      .min(1, "must list at least one CIDR")
      .optional()
      .describe(
        "The database's addresses (an RDS instance's subnets): Grafana may connect to these only, on the database's port. Unset, to any address, and the preview warns on eks.",
      ),
  })
    .superRefine((database, ctx) => {
      const { host, port } = database;
      const problem =
        typeof host !== "string"
          ? port === undefined
            ? "is required when grafana.database.host is an Output: it is the port Grafana's NetworkPolicy opens to the database"
            : undefined
          : port !== undefined && !host.endsWith(`:${port}`)
            ? `must be the port of grafana.database.host (${host}), or left out`
            : undefined;
      if (problem !== undefined) {
        ctx.addIssue({ code: "custom", path: ["port"], message: problem });
      }
    })
    .transform((database) => {
      const { host, port } = database;
      // An Output host is known only later: its port must be the one the NetworkPolicy opened.
      return typeof host === "string"
        ? database
        : {
            ...database,
            host: host.apply((known) => {
              if (!known.endsWith(`:${port}`)) {
                throw new Error(
                  `args.grafana.database.host (${known}) must end in :${port}, args.grafana.database.port, the port Grafana's NetworkPolicy opens`,
                );
              }
              return known;
            }),
          };
    })
    .optional()
    .describe("A PostgreSQL database (e.g. Amazon RDS) for Grafana's state instead of SQLite on a volume."),
  extraDatasources: z
    .array(
      named<ElasticsearchDatasource | JaegerDatasource>()(
        z.discriminatedUnion("type", [elasticsearchDatasource, jaegerDatasource]),
      ),
    )
    .describe("Datasources a team already runs (Elasticsearch, Jaeger)."),
  extraDashboards: z
    .array(named<DashboardFolder>()(dashboardFolder))
    .describe("Folders of dashboards, each provisioned into its own Grafana folder."),
  sso: grafanaSso.optional().describe("Single sign-on through one OAuth2/OIDC identity provider."),
  teams: z
    .array(named<GrafanaTeam>()(grafanaTeam))
    .describe("Teams managed through Grafana's API; members must have logged in once (by SSO) or exist."),
  folderPermissions: z
    .array(named<FolderPermission>()(folderPermission))
    .describe("Team grants on the folders of extraDashboards."),
  apiUrl: z
    .string()
    .url("must be a URL")
    .optional()
    .describe(
      "Where pulumi up reaches Grafana's API for teams and permissions; the URL people open when unset.",
    ),
})
  .superRefine((value, ctx) => grafanaReferences(value, ctx))
  .describe("Grafana, its datasources, dashboards and access.");

/** The schema of the `grafana` section, by name (see Identity). */
export interface GrafanaSectionSchema extends Identity<typeof grafanaSectionSchema> {}
export const grafanaSection: GrafanaSectionSchema = grafanaSectionSchema;
