import { Finding } from "../cli/findings";
import { Count } from "./checks";
import { getJson } from "./httpJson";

/** One entry of Prometheus' GET /api/v1/targets `activeTargets`. */
export interface ActiveTarget {
  readonly scrapePool: string;
  readonly scrapeUrl: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly health: "up" | "down" | "unknown";
  readonly lastError: string;
}

const where = (t: ActiveTarget): string =>
  t.labels.pod === undefined ? t.scrapeUrl : `${t.labels.namespace}/${t.labels.pod} (${t.scrapeUrl})`;

/** Every target of the stack's own jobs up: each job with its `up/all` count. */
export const stackTargetsUp = (
  jobs: readonly { readonly job: string; readonly targets: Count }[],
): Finding => ({
  status: "ok",
  message: `Prometheus: every target of the stack is up (${jobs.map((j) => `${j.job} ${j.targets}/${j.targets}`).join(", ")})`,
});

/** A target of one of the stack's jobs down, with the scrape's last error. */
export const stackTargetDown = (job: string, target: ActiveTarget): Finding => ({
  status: "blocking",
  message:
    target.health === "unknown"
      ? `target ${job} ${where(target)} not scraped yet`
      : `target ${job} ${where(target)} down: ${target.lastError || "no error given"}`,
  fix: `check the NetworkPolicy that lets Prometheus reach ${job} (kubectl get networkpolicy -A)${target.labels.pod === undefined ? "" : ` and the pod itself (kubectl -n ${target.labels.namespace} describe pod ${target.labels.pod})`}`,
});

/** The apps' and teams' targets, none down. */
export const appTargetsUp = (targets: Count, jobs: readonly string[]): Finding => ({
  status: "ok",
  message: `Prometheus: ${targets} app target(s) of ${jobs.join(", ") || "no app job"}, none down`,
});

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
  const healthy: { job: string; targets: number }[] = [];
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
    findings.push(...notUp.map((target) => stackTargetDown(job, target)));
    if (notUp.length === 0) {
      healthy.push({ job, targets: targets.length });
    }
  }
  if (healthy.length === stackJobs.length) {
    findings.push(stackTargetsUp(healthy));
  }
  const apps = otherJobs.flatMap(of);
  const appsDown = apps.filter((t) => t.health === "down");
  findings.push(
    appsDown.length === 0
      ? appTargetsUp(apps.length, otherJobs)
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

/** One Alertmanager, as rendered, with clustering off. */
export const ALERTMANAGER_ALONE: Finding = {
  status: "ok",
  message: "Alertmanager runs as one replica, clustering off",
};

/** The gossip cluster holds every replica. */
export const alertmanagerClusterReady = (replicas: number): Finding => ({
  status: "ok",
  message: `Alertmanager cluster ready with ${replicas}/${replicas} peers`,
});

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
      ? [ALERTMANAGER_ALONE]
      : [
          {
            status: "blocking",
            message: `Alertmanager should run alone (1 replica) but its cluster is ${cluster.status} with ${peers} peer(s)`,
            fix: `kubectl -n ${namespace} get sts alertmanager -o yaml | grep cluster`,
          },
        ];
  }
  return cluster.status === "ready" && peers === replicas
    ? [alertmanagerClusterReady(replicas)]
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

/** The Watchdog in Alertmanager, in its state there (`active`, or `suppressed` by a silence). */
export const watchdogReached = (state: string): Finding => ({
  status: "ok",
  message: `the Watchdog alert reaches Alertmanager (${state})`,
});

/** The always-firing Watchdog reached Alertmanager: rules evaluate and alerts are delivered. */
export async function watchdogFindings(alertmanager: string, namespace: string): Promise<Finding[]> {
  const alerts = await getJson<Alert[]>(
    `${alertmanager}/api/v2/alerts?filter=${encodeURIComponent('alertname="Watchdog"')}`,
  );
  return alerts.length > 0
    ? [watchdogReached(alerts[0].status.state)]
    : [
        {
          status: "blocking",
          message:
            "the Watchdog alert has not reached Alertmanager: Prometheus does not evaluate its rules or cannot deliver alerts",
          fix: `kubectl -n ${namespace} logs sts/prometheus -c prometheus | grep -i -e alertmanager -e rule; check the NetworkPolicy from prometheus to alertmanager:9093`,
        },
      ];
}
