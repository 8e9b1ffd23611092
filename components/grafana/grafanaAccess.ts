import * as grafana from "@pulumiverse/grafana";
import * as pulumi from "@pulumi/pulumi";
import { extraFolderUid } from "./extraDashboards";
import { GrafanaSettings } from "./settings";
import { grafanaPublicUrl } from "./publicUrl";

/**
 * What every folder with team grants keeps: Grafana's own defaults for a new folder. A folder
 * permission replaces the folder's whole list, so without them a team grant would lock every
 * Viewer and Editor out (org Admins always keep access).
 */
const BASIC_ROLE_GRANTS = [
  { role: "Viewer", permission: "View" },
  { role: "Editor", permission: "Edit" },
] as const;

/** What `pulumi up` logs in to Grafana's API with. */
interface GrafanaApiLogin {
  readonly adminUser: string;
  /** A Pulumi secret. */
  readonly adminPassword: pulumi.Input<string>;
  /** Grafana must be serving (its workload ready, its Service or Ingress in place) before the API is used. */
  readonly ready: readonly pulumi.Resource[];
}

/**
 * `grafana.teams` and `grafana.folderPermissions` through Grafana's HTTP API, which file
 * provisioning cannot reach: a Grafana provider logged in as the admin at `grafana.apiUrl` (by
 * default the URL people open), the teams, and one folder permission per folder granted to teams.
 * Folders are the `grafana.extraDashboards` ones: Grafana's provisioning creates them at start
 * under their fixed UIDs. Nothing is registered when neither key is set.
 */
export function deployGrafanaAccess(
  name: string,
  config: GrafanaSettings,
  login: GrafanaApiLogin,
  opts: pulumi.CustomResourceOptions,
): void {
  const { teams, folderPermissions } = config.grafana;
  if (teams.length === 0 && folderPermissions.length === 0) {
    return;
  }
  const provider = new grafana.Provider(
    `${name}-api`,
    {
      url: config.grafana.apiUrl ?? grafanaPublicUrl(config.exposure),
      auth: pulumi.secret(pulumi.interpolate`${login.adminUser}:${login.adminPassword}`),
    },
    { parent: opts.parent },
  );
  const viaApi = { parent: opts.parent, provider, dependsOn: [...login.ready] };
  // The schema has checked that every grant names one of these teams.
  const teamIds: Record<string, pulumi.Output<string>> = Object.fromEntries(
    teams.map((team) => [
      team.name,
      new grafana.oss.Team(
        `${name}-team-${team.name}`,
        {
          name: team.name,
          ...(team.email === undefined ? {} : { email: team.email }),
          members: [...team.members],
        },
        viaApi,
      ).id,
    ]),
  );
  const folders = [...new Set(folderPermissions.map((grant) => grant.folder))];
  for (const folder of folders) {
    const folderUid = extraFolderUid(folder);
    new grafana.oss.FolderPermission(
      `${name}-folder-permission-${folderUid}`,
      {
        folderUid,
        permissions: [
          ...BASIC_ROLE_GRANTS,
          ...folderPermissions
            .filter((grant) => grant.folder === folder)
            .map((grant) => ({ teamId: teamIds[grant.team], permission: grant.permission })),
        ],
      },
      viaApi,
    );
  }
}
