import { Finding } from "../cli/findings";
import { getJson } from "./httpJson";

/** One entry of Prometheus' GET /api/v1/targets `activeTargets`. */
interface ActiveTarget {
  readonly scrapePool: string;
  readonly scrapeUrl: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly health: "up" | "down" | "unknown";
  readonly lastError: string;
}

const where = (t: ActiveTarget): string =>
  t.labels.pod === undefined ? t.scrapeUrl : `${t.labels.namespace}/${t.labels.pod} (${t.scrapeUrl})`;

/**
 * Every active target of the stack's own jobs up, each job with at least one; a down target is
 * named with the scrape's last error. The apps' and teams' targets are reported, never blocking.
 */
export async function targetFindings(
  prometheus: string,
  stackJobs: readonly string[],
  otherJobs: readonly string[],
  namespace: string,
): Promise<Finding[]> {
  const { data } = await getJson<{ data: { activeTargets: ActiveTarget[] } }>(
    `${prometheus}/api/v1/targets?state=active`,
  );
  const of = (job: string) => data.activeTargets.filter((t) => t.scrapePool === job);
  const findings: Finding[] = [];
  const healthy: string[] = [];
  for (const job of stackJobs) {
    const targets = of(job);
    if (targets.length === 0) {
      findings.push({
        status: "blocking",
        message: `Prometheus job ${job} has no target: its service discovery finds no pod or endpoint`,
        fix: `kubectl -n ${namespace} get pods,endpoints -l app.kubernetes.io/name=${job}; kubectl -n ${namespace} logs sts/prometheus -c prometheus | grep -i discovery`,
      });
      continue;
    }
    const notUp = targets.filter((t) => t.health !== "up");
    for (const target of notUp) {
      findings.push({
        status: "blocking",
        message:
          target.health === "unknown"
            ? `target ${job} ${where(target)} not scraped yet`
            : `target ${job} ${where(target)} down: ${target.lastError || "no error given"}`,
        fix: `check the NetworkPolicy that lets Prometheus reach ${job} (kubectl get networkpolicy -A)${target.labels.pod === undefined ? "" : ` and the pod itself (kubectl -n ${target.labels.namespace} describe pod ${target.labels.pod})`}`,
      });
    }
    if (notUp.length === 0) {
      healthy.push(`${job} ${targets.length}/${targets.length}`);
    }
  }
  if (healthy.length === stackJobs.length) {
    findings.push({
      status: "ok",
      message: `Prometheus: every target of the stack is up (${healthy.join(", ")})`,
    });
  }
  const apps = otherJobs.flatMap(of);
  const appsDown = apps.filter((t) => t.health === "down");
  findings.push(
    appsDown.length === 0
      ? {
          status: "ok",
          message: `Prometheus: ${apps.length} app target(s) of ${otherJobs.join(", ") || "no app job"}, none down`,
        }
      : {
          status: "warning",
          message: `app targets down (the apps', not the stack's): ${appsDown.map((t) => `${t.scrapePool} ${where(t)}: ${t.lastError}`).join("; ")}`,
          fix: "check that each app serves its metrics path on the configured port (apps.services)",
        },
  );
  return findings;
}

/** Alertmanager's GET /api/v2/status: `cluster.status` is "disabled" for a lone replica. */
interface AlertmanagerStatus {
  readonly cluster: { readonly status: string; readonly peers?: readonly { readonly name: string }[] };
}

/** The gossip cluster holds every replica (one replica: clustering is off, as rendered). */
export async function alertmanagerClusterFindings(
  alertmanager: string,
  replicas: number,
  namespace: string,
): Promise<Finding[]> {
  const { cluster } = await getJson<AlertmanagerStatus>(`${alertmanager}/api/v2/status`);
  const peers = cluster.peers?.length ?? 0;
  if (replicas === 1) {
    return cluster.status === "disabled"
      ? [{ status: "ok", message: "Alertmanager runs as one replica, clustering off" }]
      : [
          {
            status: "blocking",
            message: `Alertmanager should run alone (1 replica) but its cluster is ${cluster.status} with ${peers} peer(s)`,
            fix: `kubectl -n ${namespace} get sts alertmanager -o yaml | grep cluster`,
          },
        ];
  }
  return cluster.status === "ready" && peers === replicas
    ? [{ status: "ok", message: `Alertmanager cluster ready with ${peers}/${replicas} peers` }]
    : [
        {
          status: "blocking",
          message: `Alertmanager cluster is ${cluster.status} with ${peers}/${replicas} peers: alerts may be sent twice or lost`,
          fix: `kubectl -n ${namespace} logs sts/alertmanager -c alertmanager | grep -i gossip; check the NetworkPolicy for port 9094 between alertmanager pods`,
        },
      ];
}

/** One alert of Alertmanager's GET /api/v2/alerts. */
interface Alert {
  readonly labels: Readonly<Record<string, string>>;
  readonly status: { readonly state: string };
}

/** The always-firing Watchdog reached Alertmanager: rules evaluate and alerts are delivered. */
export async function watchdogFindings(alertmanager: string, namespace: string): Promise<Finding[]> {
  const alerts = await getJson<Alert[]>(
    `${alertmanager}/api/v2/alerts?filter=${encodeURIComponent('alertname="Watchdog"')}`,
  );
  return alerts.length > 0
    ? [{ status: "ok", message: `the Watchdog alert reaches Alertmanager (${alerts[0].status.state})` }]
    : [
        {
          status: "blocking",
          message:
            "the Watchdog alert has not reached Alertmanager: Prometheus does not evaluate its rules or cannot deliver alerts",
          fix: `kubectl -n ${namespace} logs sts/prometheus -c prometheus | grep -i -e alertmanager -e rule; check the NetworkPolicy from prometheus to alertmanager:9093`,
        },
      ];
}
