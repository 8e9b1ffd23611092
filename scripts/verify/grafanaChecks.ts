import { Finding } from "../cli/findings";
import { VerifyExpectations } from "./expectations";
import { request } from "./httpJson";

type Datasource = VerifyExpectations["datasources"][number];

export const datasourceHealthy = (ds: Datasource): Finding => ({
  status: "ok",
  message: `Grafana datasource ${ds.name} (uid ${ds.uid}) is healthy`,
});

/** Grafana's own answer for a datasource it cannot use: its status and error. */
export const datasourceUnhealthy = (
  ds: Datasource,
  answer: { status: number; error: string },
  target: Pick<GrafanaTarget, "namespace" | "workload">,
): Finding => ({
  status: "blocking",
  message: `Grafana datasource ${ds.name} (uid ${ds.uid}) is unhealthy (${answer.status}): ${answer.error}`,
  fix:
    answer.status === 404
      ? `the datasource is not provisioned: kubectl -n ${target.namespace} logs ${target.workload} | grep -i provisioning`
      : `Grafana cannot query ${ds.url}: check that pod is ready and the NetworkPolicy from grafana to it (kubectl -n ${target.namespace} get networkpolicy)`,
});

export const dashboardsInFolder = (folder: string, dashboards: number): Finding => ({
  status: "ok",
  message: `Grafana folder ${folder} holds all ${dashboards} dashboards`,
});

interface GrafanaTarget {
  readonly grafana: string;
  readonly user: string;
  /** Read from the stack's Secret; it goes into the Authorization header and nowhere else. */
  readonly password: string;
  readonly namespace: string;
  /** `statefulset/grafana` or `deployment/grafana`, for the fixes. */
  readonly workload: string;
}

/** One hit of Grafana's GET /api/search?type=dash-db. */
interface SearchHit {
  readonly uid: string;
  readonly title: string;
  readonly folderTitle?: string;
}

/** GET with basic auth; the answer's status and JSON body (or its text when it is not JSON). */
async function get(target: GrafanaTarget, path: string): Promise<{ status: number; body: unknown }> {
  const auth = Buffer.from(`${target.user}:${target.password}`).toString("base64");
  const response = await request(`${target.grafana}${path}`, { headers: { Authorization: `Basic ${auth}` } });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: keep the text for the message.
  }
  return { status: response.status, body };
}

/**
 * Each provisioned datasource healthy through Grafana itself: the datasource health API for
 * backend datasources, and for Alertmanager (a frontend-only datasource, which has no health API)
 * the request its "Save & test" makes through Grafana's proxy. Then every dashboard of the render
 * in the configured folder.
 */
export async function grafanaFindings(
  target: GrafanaTarget,
  expected: Pick<VerifyExpectations, "datasources" | "dashboards">,
): Promise<Finding[]> {
  const login = await get(target, "/api/user");
  if (login.status === 401) {
    return [
      {
        status: "blocking",
        message: `Grafana refuses the admin login of user ${target.user} with the password in the stack's Secret (401)`,
        fix: `Grafana sets the Secret's password when it starts (its apply-admin-password init container), so it was changed in Grafana since: kubectl -n ${target.namespace} rollout restart ${target.workload}`,
      },
    ];
  }
  const findings: Finding[] = [];
  for (const ds of expected.datasources) {
    const path =
      ds.type === "alertmanager"
        ? `/api/datasources/proxy/uid/${ds.uid}/api/v2/status`
        : `/api/datasources/uid/${ds.uid}/health`;
    const { status, body } = await get(target, path);
    // Health: 200 {"status":"OK","message":...}, 400 {"status":"ERROR","message":...}; errors {"message":...}.
    const answer = (typeof body === "object" && body !== null ? body : {}) as {
      status?: string;
      message?: string;
    };
    const healthy = status === 200 && (ds.type === "alertmanager" || answer.status === "OK");
    findings.push(
      healthy
        ? datasourceHealthy(ds)
        : datasourceUnhealthy(
            ds,
            {
              status,
              error: typeof body === "string" ? body.slice(0, 200) : (answer.message ?? JSON.stringify(body)),
            },
            target,
          ),
    );
  }
  const { status, body } = await get(target, "/api/search?type=dash-db&limit=5000");
  if (status !== 200 || !Array.isArray(body)) {
    throw new Error(`GET /api/search answered ${status}`);
  }
  const inFolder = new Set(
    (body as SearchHit[]).filter((h) => h.folderTitle === expected.dashboards.folder).map((h) => h.uid),
  );
  const missing = expected.dashboards.list.filter((d) => !inFolder.has(d.uid));
  findings.push(
    missing.length === 0
      ? dashboardsInFolder(expected.dashboards.folder, expected.dashboards.list.length)
      : {
          status: "blocking",
          message: `Grafana folder ${expected.dashboards.folder} lacks ${missing.length} of ${expected.dashboards.list.length} dashboards: ${missing.map((d) => d.title).join(", ")}`,
          fix: `kubectl -n ${target.namespace} logs ${target.workload} | grep -i -e provisioning -e dashboard`,
        },
  );
  return findings;
}
