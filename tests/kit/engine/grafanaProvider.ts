// A stand-in for the Grafana provider (`pulumi-resource-grafana`, @pulumiverse/grafana 2.40.0, which
// bridges Grafana's Terraform provider); the Go module proxy refuses both, so the engine tier runs
// this as that plugin. It implements what the program uses, against the Grafana HTTP API at the
// provider's `url` with its `auth` (`user:password` basic auth, or a token), as the provider
// documents and its source does it:
// - `grafana:oss/team:Team` (grafana_team): `name` required, `email`, `members` a set of e-mail
//   addresses of users that must exist, each looked up (/api/users/lookup) before any member is
//   added or removed, so that one missing fails the change and changes nothing;
//   `ignoreExternallySyncedMembers` defaults to true; every change is an update in place; the ID is
//   `<orgId>:<team id>`, the outputs add `teamId`, `teamUid` and `orgId`; the members read back
//   leave out `admin@localhost` (Grafana makes the creating admin a team admin); deleting a team
//   already gone succeeds.
// - `grafana:oss/folderPermission:FolderPermission` (grafana_folder_permission): the folder's whole
//   permission list, set with POST /api/folders/<uid>/permissions (what is not listed is removed);
//   `permissions` a set of {role | teamId | userId, permission View|Edit|Admin}, team and user IDs
//   accepted with or without their `<orgId>:` prefix and `"0"` by default; `folderUid` forces a
//   replacement; the ID is `<orgId>:<folderUid>`; deleting it leaves the folder to admins alone.
// Only the default organisation is implemented: an `orgId` other than 1 is refused by check. The
// team admins, preferences and team sync inputs are refused too (the program sets none).
import { GrafanaApi, GrafanaApiError, GrafanaTeamMember } from "../grafanaApi";
import {
  CheckFailure,
  PropertyChange,
  Properties,
  StandInProvider,
  UNKNOWN,
  serveProvider,
} from "./providerHost";

const TEAM = "grafana:oss/team:Team";
const FOLDER_PERMISSION = "grafana:oss/folderPermission:FolderPermission";
const ORG_ID = "1";
/** The member Grafana adds as the creator of every team made with the admin's basic auth. */
const CREATOR_EMAIL = "admin@localhost";
const PERMISSIONS: Readonly<Record<string, number>> = { View: 1, Edit: 2, Admin: 4 };
const PERMISSION_NAMES: Readonly<Record<number, string>> = { 1: "View", 2: "Edit", 4: "Admin" };
const ROLES = ["Viewer", "Editor", "Admin"];
const NOT_IMPLEMENTED: Readonly<Record<string, readonly string[]>> = {
  [TEAM]: ["admins", "preferences", "teamSync"],
};

interface PermissionItem {
  readonly role?: string;
  readonly teamId?: string;
  readonly userId?: string;
  readonly permission?: string;
}

/** `<orgId>:<id>` or `<id>` → `<id>`. */
const withoutOrg = (id: string) => id.replace(/^\d+:/, "");
const isUnknown = (value: unknown) => JSON.stringify(value ?? null).includes(UNKNOWN);
const stringList = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);
const setOf = (values: readonly string[]) => JSON.stringify([...new Set(values)].sort());
/** The body of POST /api/teams and PUT /api/teams/<id>. */
const teamCommand = (news: Properties) => ({
  name: typeof news.name === "string" ? news.name : "",
  email: typeof news.email === "string" ? news.email : "",
});

/** A permission item as the set compares it: the role, team and user (without org) and the permission. */
const itemKey = (item: PermissionItem) =>
  [
    item.role ?? "",
    withoutOrg(item.teamId ?? "0"),
    withoutOrg(item.userId ?? "0"),
    item.permission ?? "",
  ].join("|");
const permissionItems = (value: unknown): PermissionItem[] =>
  (Array.isArray(value) ? value : []) as PermissionItem[];

function orgFailures(news: Properties): CheckFailure[] {
  return news.orgId === undefined || news.orgId === ORG_ID || isUnknown(news.orgId)
    ? []
    : [
        {
          property: "orgId",
          reason: `the Grafana provider stand-in implements the default organisation (${ORG_ID}) only`,
        },
      ];
}

function checkTeam(news: Properties): { inputs: Properties; failures: CheckFailure[] } {
  const failures = [...orgFailures(news)];
  if (typeof news.name !== "string" || news.name === "") {
    failures.push({ property: "name", reason: 'Missing required argument: "name"' });
  }
  return {
    inputs: { ...news, ignoreExternallySyncedMembers: news.ignoreExternallySyncedMembers ?? true },
    failures,
  };
}

function checkFolderPermission(news: Properties): { inputs: Properties; failures: CheckFailure[] } {
  const failures = [...orgFailures(news)];
  if (typeof news.folderUid !== "string" || news.folderUid === "") {
    failures.push({ property: "folderUid", reason: 'Missing required argument: "folderUid"' });
  }
  const permissions = permissionItems(news.permissions).map((item, i) => {
    if (!isUnknown(item.permission) && PERMISSIONS[item.permission ?? ""] === undefined) {
      failures.push({
        property: `permissions[${i}].permission`,
        reason: `expected permission to be one of ["View" "Edit" "Admin"], got ${String(item.permission)}`,
      });
    }
    if (item.role !== undefined && item.role !== "" && !isUnknown(item.role) && !ROLES.includes(item.role)) {
      failures.push({
        property: `permissions[${i}].role`,
        reason: `expected role to be one of ["Viewer" "Editor" "Admin"], got ${item.role}`,
      });
    }
    return { ...item, teamId: item.teamId ?? "0", userId: item.userId ?? "0" };
  });
  return { inputs: { ...news, permissions }, failures };
}

function teamDiff(olds: Properties, news: Properties): Record<string, PropertyChange> {
  const changes: Record<string, PropertyChange> = {};
  if (olds.name !== news.name) changes.name = "update";
  if ((olds.email ?? "") !== (news.email ?? "")) {
    changes.email = olds.email === undefined ? "add" : news.email === undefined ? "delete" : "update";
  }
  if (isUnknown(news.members) || setOf(stringList(olds.members)) !== setOf(stringList(news.members))) {
    changes.members = "update";
  }
  if ((olds.ignoreExternallySyncedMembers ?? true) !== (news.ignoreExternallySyncedMembers ?? true)) {
    changes.ignoreExternallySyncedMembers = "update";
  }
  return changes;
}

function folderPermissionDiff(olds: Properties, news: Properties): Record<string, PropertyChange> {
  const changes: Record<string, PropertyChange> = {};
  if (olds.folderUid !== news.folderUid) changes.folderUid = "update-replace";
  const keys = (value: unknown) => setOf(permissionItems(value).map(itemKey));
  if (isUnknown(news.permissions) || keys(olds.permissions) !== keys(news.permissions)) {
    changes.permissions = "update";
  }
  return changes;
}

class GrafanaProvider implements StandInProvider {
  readonly version = "0.0.0-standin";
  private settings: Properties = {};

  configure(settings: Properties): void {
    this.settings = settings;
  }

  private api(): GrafanaApi {
    const url = typeof this.settings.url === "string" ? this.settings.url : process.env.GRAFANA_URL;
    if (url === undefined || url === "") {
      throw new Error("the Grafana provider stand-in needs the provider's url (or GRAFANA_URL)");
    }
    const auth =
      typeof this.settings.auth === "string" ? this.settings.auth : (process.env.GRAFANA_AUTH ?? "");
    return new GrafanaApi(url, auth);
  }

  check(type: string, news: Properties) {
    const refused = (NOT_IMPLEMENTED[type] ?? []).filter((key) => news[key] !== undefined);
    const checked =
      type === TEAM
        ? checkTeam(news)
        : type === FOLDER_PERMISSION
          ? checkFolderPermission(news)
          : {
              inputs: news,
              failures: [
                {
                  property: "",
                  reason: `the Grafana provider stand-in implements only ${TEAM} and ${FOLDER_PERMISSION}`,
                },
              ],
            };
    return {
      inputs: checked.inputs,
      failures: [
        ...checked.failures,
        ...refused.map((key) => ({
          property: key,
          reason: `the Grafana provider stand-in does not implement ${key}`,
        })),
      ],
    };
  }

  diff(type: string, olds: Properties, news: Properties) {
    return type === TEAM ? teamDiff(olds, news) : folderPermissionDiff(olds, news);
  }

  async create(type: string, news: Properties) {
    const api = this.api();
    if (type === TEAM) {
      const { teamId } = await api.createTeam(teamCommand(news));
      const id = `${ORG_ID}:${teamId}`;
      await this.applyMembers(api, teamId, [], stringList(news.members));
      return { id, outs: await this.readTeam(api, teamId, news) };
    }
    const folderUid = String(news.folderUid);
    await this.setPermissions(api, folderUid, news);
    return { id: `${ORG_ID}:${folderUid}`, outs: await this.readFolderPermission(api, folderUid) };
  }

  async read(type: string, id: string, olds: Properties) {
    const api = this.api();
    try {
      return type === TEAM
        ? await this.readTeam(api, Number(withoutOrg(id)), olds)
        : await this.readFolderPermission(api, withoutOrg(id));
    } catch (error) {
      if (error instanceof GrafanaApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  async update(type: string, id: string, olds: Properties, news: Properties) {
    const api = this.api();
    if (type === TEAM) {
      const teamId = Number(withoutOrg(id));
      await api.updateTeam(teamId, teamCommand(news));
      await this.applyMembers(api, teamId, stringList(olds.members), stringList(news.members));
      return this.readTeam(api, teamId, news);
    }
    const folderUid = withoutOrg(id);
    await this.setPermissions(api, folderUid, news);
    return this.readFolderPermission(api, folderUid);
  }

  async delete(type: string, id: string) {
    const api = this.api();
    try {
      if (type === TEAM) {
        await api.deleteTeam(Number(withoutOrg(id)));
      } else {
        await api.setFolderPermissions(withoutOrg(id), []);
      }
    } catch (error) {
      if (!(error instanceof GrafanaApiError && error.status === 404)) throw error;
    }
  }

  /**
   * Adds the members `planned` has and `current` has not and removes the others, every user looked
   * up first: one that does not exist fails the change before any member is added or removed (one
   * to be removed that no longer exists is no member any more).
   */
  private async applyMembers(
    api: GrafanaApi,
    teamId: number,
    current: readonly string[],
    planned: readonly string[],
  ) {
    const userId = async (email: string) =>
      (
        await api.lookupUser(email).catch((error: unknown) => {
          if (error instanceof GrafanaApiError && error.status === 404) return undefined;
          throw error;
        })
      )?.id;
    const added = await Promise.all(
      planned
        .filter((e) => !current.includes(e))
        .map(async (email) => {
          const id = await userId(email);
          if (id === undefined) throw new Error(`error adding user ${email}. User does not exist in Grafana`);
          return id;
        }),
    );
    const removed = await Promise.all(current.filter((e) => !planned.includes(e)).map(userId));
    for (const id of added) await api.addTeamMember(teamId, id);
    for (const id of removed) if (id !== undefined) await api.removeTeamMember(teamId, id);
  }

  private async readTeam(api: GrafanaApi, teamId: number, inputs: Properties): Promise<Properties> {
    const team = await api.team(teamId);
    const ignoreSynced = inputs.ignoreExternallySyncedMembers !== false;
    const members = (await api.teamMembers(teamId))
      .filter((m: GrafanaTeamMember) => m.email !== CREATOR_EMAIL && !(ignoreSynced && m.labels.length > 0))
      .map((m) => m.email)
      .sort();
    return {
      name: team.name,
      ...(team.email === "" ? {} : { email: team.email }),
      members,
      ignoreExternallySyncedMembers: ignoreSynced,
      orgId: String(team.orgId),
      teamId: team.id,
      teamUid: team.uid,
    };
  }

  private async setPermissions(api: GrafanaApi, folderUid: string, news: Properties) {
    await api.setFolderPermissions(
      folderUid,
      permissionItems(news.permissions).map((item) => {
        const teamId = Number(withoutOrg(item.teamId ?? "0"));
        const userId = Number(withoutOrg(item.userId ?? "0"));
        return {
          ...(item.role === undefined || item.role === ""
            ? {}
            : { role: item.role as "Viewer" | "Editor" | "Admin" }),
          ...(teamId > 0 ? { teamId } : {}),
          ...(userId > 0 ? { userId } : {}),
          permission: PERMISSIONS[item.permission ?? ""],
        };
      }),
    );
  }

  private async readFolderPermission(api: GrafanaApi, folderUid: string): Promise<Properties> {
    const entries = await api.folderPermissions(folderUid);
    return {
      folderUid,
      orgId: ORG_ID,
      permissions: entries.map((e) => ({
        role: e.role ?? "",
        teamId: String(e.teamId),
        userId: String(e.userId),
        permission: PERMISSION_NAMES[e.permission],
      })),
    };
  }
}

void serveProvider(new GrafanaProvider());
