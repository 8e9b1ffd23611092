// The default organisation of the Grafana stand-in (tests/kit/grafanaStandIn.ts): its users, teams,
// team members and folders with their permissions, changed and answered as Grafana 12's HTTP API
// does (pkg/services/team/teamapi, pkg/api/user.go, pkg/api/folder_permission.go): the creator of a
// team becomes its admin member, deleting a team removes its members and its folder grants, and a
// folder permission update replaces the folder's whole list.
import { createHash } from "crypto";
import {
  FolderPermissionEntry,
  FolderPermissionItem,
  GrafanaTeam,
  GrafanaTeamMember,
  GrafanaUser,
} from "./grafanaApi";

/** An HTTP answer: its status and JSON body. */
export interface Answer {
  readonly status: number;
  readonly body: unknown;
}

const ORG_ID = 1;
const PERMISSION_NAMES: Readonly<Record<number, string>> = { 1: "View", 2: "Edit", 4: "Admin" };
const ROLES = new Set(["Viewer", "Editor", "Admin"]);
/** What provisioning gives a folder it creates: the basic roles' defaults (no creating user to make admin). */
const NEW_FOLDER_PERMISSIONS: readonly FolderPermissionItem[] = [
  { role: "Editor", permission: 2 },
  { role: "Viewer", permission: 1 },
];

const textOf = (value: unknown) => (typeof value === "string" ? value : "");
const message = (status: number, text: string): Answer => ({ status, body: { message: text } });
const ok = (text: string): Answer => ({ status: 200, body: { message: text } });
const uidOf = (kind: string, id: number) =>
  createHash("sha256").update(`${kind}${id}`).digest("hex").slice(0, 14);
const avatarOf = (email: string) =>
  `/avatar/${createHash("md5").update(email.trim().toLowerCase()).digest("hex")}`;

interface Team {
  readonly id: number;
  readonly uid: string;
  name: string;
  email: string;
}

interface Folder {
  readonly id: number;
  readonly uid: string;
  readonly title: string;
  permissions: FolderPermissionItem[];
}

export class GrafanaOrg {
  private readonly users: GrafanaUser[];
  private readonly teams = new Map<number, Team>();
  /** team ID → user ID → 0 (member) or 4 (admin). */
  private readonly members = new Map<number, Map<number, number>>();
  private readonly folders = new Map<string, Folder>();
  private nextTeamId = 1;

  /** The signed-in admin is user 1; the other users as Grafana holds them once created (or first logged in). */
  constructor(
    private readonly admin: GrafanaUser,
    users: readonly Omit<GrafanaUser, "id" | "uid">[],
    folders: readonly { readonly uid: string; readonly title: string }[],
  ) {
    this.users = [admin, ...users.map((u, i) => ({ ...u, id: i + 2, uid: uidOf("user", i + 2) }))];
    folders.forEach((f, i) =>
      this.folders.set(f.uid, { ...f, id: i + 2, permissions: [...NEW_FOLDER_PERMISSIONS] }),
    );
  }

  /** GET /api/users/lookup?loginOrEmail= */
  lookupUser(loginOrEmail: string): Answer {
    const user = this.users.find((u) => u.login === loginOrEmail || u.email === loginOrEmail);
    return user === undefined
      ? message(404, "user not found")
      : { status: 200, body: { ...user, orgId: ORG_ID, isGrafanaAdmin: user.id === this.admin.id } };
  }

  /** POST /api/teams: the signed-in user (the admin) becomes the team's admin member. */
  createTeam(body: { name?: unknown; email?: unknown }): Answer {
    if (typeof body.name !== "string" || body.name === "") {
      return message(400, "bad request data");
    }
    if ([...this.teams.values()].some((t) => t.name === body.name)) {
      return message(409, "Team name taken");
    }
    const id = this.nextTeamId++;
    const team = { id, uid: uidOf("team", id), name: body.name, email: textOf(body.email) };
    this.teams.set(id, team);
    this.members.set(id, new Map([[this.admin.id, 4]]));
    return { status: 200, body: { teamId: id, uid: team.uid, message: "Team created" } };
  }

  /** GET /api/teams/:id */
  team(id: number): Answer {
    const team = this.teams.get(id);
    return team === undefined ? message(404, "Team not found") : { status: 200, body: this.teamDto(team) };
  }

  /** GET /api/teams/search (the first page, which holds every team here). */
  searchTeams(): Answer {
    const teams = [...this.teams.values()].map((t) => this.teamDto(t));
    return { status: 200, body: { totalCount: teams.length, teams, page: 1, perPage: 1000 } };
  }

  /** PUT /api/teams/:id */
  updateTeam(id: number, body: { name?: unknown; email?: unknown }): Answer {
    const team = this.teams.get(id);
    if (team === undefined) {
      return message(404, "Team not found");
    }
    if (typeof body.name !== "string" || body.name === "") {
      return message(400, "bad request data");
    }
    if ([...this.teams.values()].some((t) => t.id !== id && t.name === body.name)) {
      return message(400, "Team name taken");
    }
    team.name = body.name;
    team.email = textOf(body.email);
    return ok("Team updated");
  }

  /** DELETE /api/teams/:id: its members and every grant to it go with it. */
  deleteTeam(id: number): Answer {
    if (!this.teams.delete(id)) {
      return message(404, "Failed to delete Team. ID not found");
    }
    this.members.delete(id);
    for (const folder of this.folders.values()) {
      folder.permissions = folder.permissions.filter((p) => p.teamId !== id);
    }
    return ok("Team deleted");
  }

  /** GET /api/teams/:id/members */
  teamMembers(id: number): Answer {
    const team = this.teams.get(id);
    if (team === undefined) {
      return message(404, "Team not found");
    }
    const members = [...(this.members.get(id) ?? new Map<number, number>())].map(
      ([userId, permission]): GrafanaTeamMember => {
        const user = this.users.find((u) => u.id === userId) as GrafanaUser;
        return {
          orgId: ORG_ID,
          teamId: id,
          teamUID: team.uid,
          userId,
          userUID: user.uid,
          auth_module: "",
          email: user.email,
          name: user.name,
          login: user.login,
          avatarUrl: avatarOf(user.email),
          labels: [],
          permission,
        };
      },
    );
    return { status: 200, body: members };
  }

  /** POST /api/teams/:id/members */
  addTeamMember(id: number, body: { userId?: unknown }): Answer {
    const members = this.members.get(id);
    if (members === undefined) {
      return message(404, "Team not found");
    }
    const userId = Number(body.userId);
    if (!this.users.some((u) => u.id === userId)) {
      return message(500, "Failed to add Member to Team");
    }
    if (members.has(userId)) {
      return message(400, "User is already added to this team");
    }
    members.set(userId, 0);
    return ok("Member added to Team");
  }

  /** DELETE /api/teams/:id/members/:userId */
  removeTeamMember(id: number, userId: number): Answer {
    const members = this.members.get(id);
    if (members === undefined) {
      return message(404, "Team not found");
    }
    if (!members.delete(userId)) {
      return message(404, "Team member not found");
    }
    return ok("Team Member removed");
  }

  /** GET /api/folders/:uid/permissions */
  folderPermissions(uid: string): Answer {
    const folder = this.folders.get(uid);
    if (folder === undefined) {
      return { status: 404, body: { status: "not-found", message: "folder not found" } };
    }
    return { status: 200, body: folder.permissions.map((p) => this.aclEntry(folder, p)) };
  }

  /** POST /api/folders/:uid/permissions: the items become the folder's whole list. */
  setFolderPermissions(uid: string, body: { items?: unknown }): Answer {
    if (!Array.isArray(body.items)) {
      return message(400, "bad request data");
    }
    const items = body.items as FolderPermissionItem[];
    // Grafana's validatePermissionsUpdate, with its two messages as they are (each names the other case).
    if (items.some((i) => (i.userId ?? 0) > 0 && (i.teamId ?? 0) > 0)) {
      return message(400, "team and user permissions cannot have an associated role");
    }
    if (items.some((i) => ((i.userId ?? 0) > 0 || (i.teamId ?? 0) > 0) && i.role !== undefined)) {
      return message(400, "permissions cannot have both a user and team");
    }
    const folder = this.folders.get(uid);
    if (folder === undefined) {
      return { status: 404, body: { status: "not-found", message: "folder not found" } };
    }
    const valid = items.every(
      (i) =>
        PERMISSION_NAMES[i.permission] !== undefined &&
        (i.role === undefined ? true : ROLES.has(i.role)) &&
        (i.teamId === undefined || i.teamId === 0 || this.teams.has(i.teamId)) &&
        (i.userId === undefined || i.userId === 0 || this.users.some((u) => u.id === i.userId)),
    );
    if (!valid) {
      return message(500, "Failed to create permission");
    }
    folder.permissions = items.map((i) => ({
      ...(i.role === undefined ? {} : { role: i.role }),
      ...((i.teamId ?? 0) > 0 ? { teamId: i.teamId } : {}),
      ...((i.userId ?? 0) > 0 ? { userId: i.userId } : {}),
      permission: i.permission,
    }));
    return ok("Folder permissions updated");
  }

  private teamDto(team: Team): GrafanaTeam {
    return {
      id: team.id,
      uid: team.uid,
      orgId: ORG_ID,
      name: team.name,
      email: team.email,
      avatarUrl: avatarOf(team.email === "" ? team.name : team.email),
      memberCount: this.members.get(team.id)?.size ?? 0,
      permission: 0,
      isProvisioned: false,
    };
  }

  private aclEntry(folder: Folder, item: FolderPermissionItem): FolderPermissionEntry {
    const user = this.users.find((u) => u.id === item.userId);
    const team = item.teamId === undefined ? undefined : this.teams.get(item.teamId);
    return {
      folderId: folder.id,
      userId: user?.id ?? 0,
      userLogin: user?.login ?? "",
      userEmail: user?.email ?? "",
      teamId: team?.id ?? 0,
      teamUid: team?.uid ?? "",
      team: team?.name ?? "",
      ...(item.role === undefined ? {} : { role: item.role }),
      permission: item.permission,
      permissionName: PERMISSION_NAMES[item.permission],
      uid: folder.uid,
      title: folder.title,
      isFolder: true,
      inherited: false,
    };
  }
}
