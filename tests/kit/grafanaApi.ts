// Grafana's HTTP API for teams, their members, users and folder permissions, with the shapes
// Grafana 12 answers (pkg/services/team/teamapi, pkg/api/user.go, pkg/api/folder_permission.go):
// what the Grafana provider stand-in calls, what the Grafana stand-in serves, and what a test reads
// back to see what an update did.

/** GET /api/users/lookup: a user (UserProfileDTO, the fields used here). */
export interface GrafanaUser {
  readonly id: number;
  readonly uid: string;
  readonly login: string;
  readonly email: string;
  readonly name: string;
}

/** GET /api/teams/:id (TeamDTO). */
export interface GrafanaTeam {
  readonly id: number;
  readonly uid: string;
  readonly orgId: number;
  readonly name: string;
  readonly email: string;
  readonly avatarUrl: string;
  readonly memberCount: number;
  readonly permission: number;
  readonly isProvisioned: boolean;
}

/** GET /api/teams/:id/members (TeamMemberDTO): permission 0 is a member, 4 a team admin. */
export interface GrafanaTeamMember {
  readonly orgId: number;
  readonly teamId: number;
  readonly teamUID: string;
  readonly userId: number;
  readonly userUID: string;
  readonly auth_module: string;
  readonly email: string;
  readonly name: string;
  readonly login: string;
  readonly avatarUrl: string;
  readonly labels: readonly string[];
  readonly permission: number;
}

/** One item of POST /api/folders/:uid/permissions: a basic role, a team or a user, and 1 View, 2 Edit, 4 Admin. */
export interface FolderPermissionItem {
  readonly role?: "Viewer" | "Editor" | "Admin";
  readonly teamId?: number;
  readonly userId?: number;
  readonly permission: number;
}

/** GET /api/folders/:uid/permissions (DashboardACLInfoDTO, the fields used here). */
export interface FolderPermissionEntry {
  readonly folderId: number;
  readonly userId: number;
  readonly userLogin: string;
  readonly userEmail: string;
  readonly teamId: number;
  readonly teamUid: string;
  readonly team: string;
  readonly role?: string;
  readonly permission: number;
  readonly permissionName: string;
  readonly uid: string;
  readonly title: string;
  readonly isFolder: boolean;
  readonly inherited: boolean;
}

/** An answer other than 2xx: its status and Grafana's `message`. */
export class GrafanaApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The `Authorization` header of the provider's `auth` setting: `user:password` is basic auth, anything else a token. */
export function authorizationOf(auth: string): string | undefined {
  if (auth === "" || auth === "anonymous") {
    return undefined;
  }
  return auth.includes(":") ? `Basic ${Buffer.from(auth).toString("base64")}` : `Bearer ${auth}`;
}

export class GrafanaApi {
  private readonly authorization?: string;

  constructor(
    private readonly url: string,
    auth: string,
  ) {
    this.authorization = authorizationOf(auth);
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.url.replace(/\/$/, "")}${path}`, {
      method,
      headers: {
        Accept: "application/json",
        ...(this.authorization === undefined ? {} : { Authorization: this.authorization }),
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) {
      let message = text;
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? text;
      } catch {
        // Not JSON: the text is the message.
      }
      throw new GrafanaApiError(response.status, `${method} ${path}: ${response.status} ${message}`);
    }
    return JSON.parse(text) as T;
  }

  lookupUser(loginOrEmail: string): Promise<GrafanaUser> {
    return this.request("GET", `/api/users/lookup?loginOrEmail=${encodeURIComponent(loginOrEmail)}`);
  }

  createTeam(team: { name: string; email?: string }): Promise<{ teamId: number; uid: string }> {
    return this.request("POST", "/api/teams", team);
  }

  team(id: number): Promise<GrafanaTeam> {
    return this.request("GET", `/api/teams/${id}`);
  }

  async searchTeams(): Promise<GrafanaTeam[]> {
    return (await this.request<{ teams: GrafanaTeam[] }>("GET", "/api/teams/search")).teams;
  }

  async updateTeam(id: number, team: { name: string; email?: string }): Promise<void> {
    await this.request("PUT", `/api/teams/${id}`, team);
  }

  async deleteTeam(id: number): Promise<void> {
    await this.request("DELETE", `/api/teams/${id}`);
  }

  teamMembers(id: number): Promise<GrafanaTeamMember[]> {
    return this.request("GET", `/api/teams/${id}/members`);
  }

  async addTeamMember(id: number, userId: number): Promise<void> {
    await this.request("POST", `/api/teams/${id}/members`, { userId });
  }

  async removeTeamMember(id: number, userId: number): Promise<void> {
    await this.request("DELETE", `/api/teams/${id}/members/${userId}`);
  }

  folderPermissions(folderUid: string): Promise<FolderPermissionEntry[]> {
    return this.request("GET", `/api/folders/${encodeURIComponent(folderUid)}/permissions`);
  }

  /** Replaces the folder's whole list: what is not given is removed. */
  async setFolderPermissions(folderUid: string, items: readonly FolderPermissionItem[]): Promise<void> {
    await this.request("POST", `/api/folders/${encodeURIComponent(folderUid)}/permissions`, { items });
  }
}
