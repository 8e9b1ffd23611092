import * as http from "http";
import { AddressInfo } from "net";
import { GrafanaUser, authorizationOf } from "./grafanaApi";
import { Answer, GrafanaOrg } from "./grafanaOrg";

/**
 * Grafana 12 cannot be built here: this stand-in answers the APIs `npm run verify` calls,
 * with the shapes Grafana's source returns (pkg/api/datasources.go, checkDatasourceHealth):
 *   GET /api/datasources/uid/<uid>/health → 200 {"status":"OK","message":"..."} when the
 *     datasource's backend answers its query, 400 {"status":"ERROR","message":"<the error>"} when
 *     it does not; an unknown uid → 404 {"message":"Data source not found"};
 *   GET /api/datasources/proxy/uid/<uid>/<path> → the datasource's answer, passed through;
 *   GET /api/user → the signed-in user ({id, uid, login, email, name, isGrafanaAdmin, orgId, ...});
 *   GET /api/search?type=dash-db → [{id, uid, title, uri, url, slug, type: "dash-db", tags,
 *     isStarred, folderId, folderUid, folderTitle, folderUrl, sortMeta}] (folder_dashboard_search docs);
 * and the access APIs the Grafana provider stand-in calls, on one organisation (tests/kit/grafanaOrg.ts):
 *   GET /api/users/lookup?loginOrEmail=, POST /api/teams, GET /api/teams/search, GET|PUT|DELETE
 *   /api/teams/<id>, GET|POST /api/teams/<id>/members, DELETE /api/teams/<id>/members/<userId>,
 *   GET|POST /api/folders/<uid>/permissions;
 * all behind basic auth (401 {"message":"Invalid username or password"} otherwise). The health
 * check really queries the datasource's URL the way each plugin does, so a backend that is down
 * is reported with the error Grafana's Go HTTP client would give.
 */
export interface GrafanaStandIn {
  readonly base: string;
  /** uid → type and URL, changeable to make a datasource unreachable. */
  readonly datasources: Map<string, { readonly type: string; readonly url: string }>;
  close(): Promise<void>;
}

// What each plugin's CheckHealth queries, and its success message.
const HEALTH: Record<string, { path: string; message: string }> = {
  prometheus: { path: "/api/v1/query?query=1%2B1", message: "Successfully queried the Prometheus API." },
  loki: { path: "/loki/api/v1/labels", message: "Data source successfully connected." },
  tempo: { path: "/ready", message: "Data source is working" },
};

export async function startGrafanaStandIn(options: {
  readonly user: string;
  readonly password: string;
  readonly datasources: Record<string, { readonly type: string; readonly url: string }>;
  readonly folder: string;
  readonly dashboards: readonly { readonly uid: string; readonly title: string }[];
  /** Users besides the admin, as Grafana holds them once created or first signed in. */
  readonly users?: readonly Omit<GrafanaUser, "id" | "uid">[];
  /** Folders as provisioning creates them, with Grafana's default permissions. */
  readonly folders?: readonly { readonly uid: string; readonly title: string }[];
}): Promise<GrafanaStandIn> {
  const datasources = new Map(Object.entries(options.datasources));
  const auth = authorizationOf(`${options.user}:${options.password}`);
  const admin = { id: 1, uid: "admin-uid", login: options.user, email: "admin@localhost", name: "" };
  const org = new GrafanaOrg(admin, options.users ?? [], options.folders ?? []);
  const send = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "Content-Type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://grafana");
    if (req.headers.authorization !== auth) {
      send(res, 401, { message: "Invalid username or password" });
      return;
    }
    const access = ACCESS_ROUTES.find(
      (route) => route.method === req.method && route.path.test(url.pathname),
    );
    if (access !== undefined) {
      readBody(req)
        .then((body) =>
          access.answer(org, (access.path.exec(url.pathname) ?? []).slice(1), url.searchParams, body),
        )
        .then(
          (answer) => send(res, answer.status, answer.body),
          () => send(res, 400, { message: "bad request data" }),
        );
      return;
    }
    const health = /^\/api\/datasources\/uid\/([^/]+)\/health$/.exec(url.pathname);
    const proxy = /^\/api\/datasources\/proxy\/uid\/([^/]+)(\/.*)$/.exec(url.pathname);
    if (health !== null || proxy !== null) {
      const ds = datasources.get((health ?? proxy)?.[1] ?? "");
      if (ds === undefined) {
        send(res, 404, { message: "Data source not found" });
        return;
      }
      const target = health !== null ? `${ds.url}${HEALTH[ds.type].path}` : `${ds.url}${proxy?.[2] ?? ""}`;
      fetch(target)
        .then(async (answer) => {
          const text = await answer.text();
          if (proxy !== null) {
            res.writeHead(answer.status, { "Content-Type": "application/json" });
            res.end(text);
          } else if (answer.ok) {
            send(res, 200, { status: "OK", message: HEALTH[ds.type].message });
          } else {
            send(res, 400, { status: "ERROR", message: `${answer.status}: ${text.slice(0, 200)}` });
          }
        })
        .catch((error: unknown) => {
          // undici's TypeError("fetch failed") carries the socket error as its cause (another realm under jest).
          const cause = (error as { cause?: { message?: string } }).cause?.message ?? String(error);
          send(res, proxy !== null ? 502 : 400, { status: "ERROR", message: `Get "${target}": ${cause}` });
        });
      return;
    }
    if (url.pathname === "/api/user") {
      send(res, 200, { ...admin, isGrafanaAdmin: true, orgId: 1 });
      return;
    }
    if (url.pathname === "/api/search" && url.searchParams.get("type") === "dash-db") {
      send(
        res,
        200,
        options.dashboards.map((d, i) => ({
          id: i + 2,
          uid: d.uid,
          title: d.title,
          uri: `db/${d.uid}`,
          url: `/d/${d.uid}/${d.uid}`,
          slug: "",
          type: "dash-db",
          tags: [],
          isStarred: false,
          folderId: 1,
          folderUid: "stack-folder",
          folderTitle: options.folder,
          folderUrl: "/dashboards/f/stack-folder/",
          sortMeta: 0,
        })),
      );
      return;
    }
    send(res, 404, { message: "Not found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    datasources,
    close: () => new Promise((done) => server.close(() => done())),
  };
}

/** A request's JSON body (an empty object when it has none). */
async function readBody(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  let text = "";
  for await (const chunk of req) text += String(chunk);
  return text === "" ? {} : (JSON.parse(text) as Record<string, unknown>);
}

interface AccessRoute {
  readonly method: string;
  readonly path: RegExp;
  readonly answer: (
    org: GrafanaOrg,
    params: readonly string[],
    query: URLSearchParams,
    body: Record<string, unknown>,
  ) => Answer;
}

const ACCESS_ROUTES: readonly AccessRoute[] = [
  {
    method: "GET",
    path: /^\/api\/users\/lookup$/,
    answer: (org, _, query) => org.lookupUser(query.get("loginOrEmail") ?? ""),
  },
  { method: "POST", path: /^\/api\/teams$/, answer: (org, _, __, body) => org.createTeam(body) },
  { method: "GET", path: /^\/api\/teams\/search$/, answer: (org) => org.searchTeams() },
  { method: "GET", path: /^\/api\/teams\/(\d+)$/, answer: (org, [id]) => org.team(Number(id)) },
  {
    method: "PUT",
    path: /^\/api\/teams\/(\d+)$/,
    answer: (org, [id], _, body) => org.updateTeam(Number(id), body),
  },
  { method: "DELETE", path: /^\/api\/teams\/(\d+)$/, answer: (org, [id]) => org.deleteTeam(Number(id)) },
  {
    method: "GET",
    path: /^\/api\/teams\/(\d+)\/members$/,
    answer: (org, [id]) => org.teamMembers(Number(id)),
  },
  {
    method: "POST",
    path: /^\/api\/teams\/(\d+)\/members$/,
    answer: (org, [id], _, body) => org.addTeamMember(Number(id), body),
  },
  {
    method: "DELETE",
    path: /^\/api\/teams\/(\d+)\/members\/(\d+)$/,
    answer: (org, [id, userId]) => org.removeTeamMember(Number(id), Number(userId)),
  },
  {
    method: "GET",
    path: /^\/api\/folders\/([^/]+)\/permissions$/,
    answer: (org, [uid]) => org.folderPermissions(decodeURIComponent(uid)),
  },
  {
    method: "POST",
    path: /^\/api\/folders\/([^/]+)\/permissions$/,
    answer: (org, [uid], _, body) => org.setFolderPermissions(decodeURIComponent(uid), body),
  },
];
