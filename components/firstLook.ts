import { DEMO_NAMESPACE } from "./demo/names";
import { DATASOURCE_UIDS } from "./common/grafanaUids";
import { landing } from "./grafana/dashboards/landing";
import { serviceDetail } from "./grafana/dashboards/serviceDetail";

/** The demo service whose error lines the first look opens: payments fails, the others pass it on. */
export const FIRST_LOOK_SERVICE = "demo-payments";

/** The LogQL the first look's Explore link opens: that service's error lines. */
export const FIRST_LOOK_ERRORS = `{namespace="${DEMO_NAMESPACE}", app="${FIRST_LOOK_SERVICE}", level="error"}`;

/**
 * A Grafana Explore URL (Grafana 10 and later: `schemaVersion=1` with one pane) that opens
 * Loki with `expr` filled in over the last hour.
 */
export function lokiExploreUrl(grafanaUrl: string, expr: string): string {
  const panes = {
    first: {
      datasource: DATASOURCE_UIDS.loki,
      queries: [
        { refId: "A", datasource: { type: "loki", uid: DATASOURCE_UIDS.loki }, expr, queryType: "range" },
      ],
      range: { from: "now-1h", to: "now" },
    },
  };
  return `${grafanaUrl}/explore?schemaVersion=1&panes=${encodeURIComponent(JSON.stringify(panes))}&orgId=1`;
}

/**
 * How a user reads the admin password from their own shell. On kind, an npm script that runs
 * `pulumi stack output` with the kind stack's passphrase (scripts/output.sh): without it, Pulumi
 * cannot decrypt the secret there. On eks, with the stack's own secrets provider.
 */
export const PASSWORD_COMMAND = {
  kind: "npm run -s password",
  eks: "pulumi stack output grafanaAdminPassword --show-secrets",
} as const;

interface FirstLookArgs {
  /** Where a browser reaches Grafana (the NodePort on kind, the Ingress host on eks). */
  readonly grafanaUrl: string;
  readonly adminUser: string;
  readonly profile: keyof typeof PASSWORD_COMMAND;
  /** `demo.enabled`: the demo's error lines are the first thing to open. */
  readonly demo: boolean;
}

/**
 * Where to click first, one line each, as `npm run up` prints it: Grafana and its login, the
 * Landing dashboard, and with the demo an Explore link to a demo service's error lines (from a
 * line, the TraceID link, Loki's derived field, opens the trace in Tempo; from a span, Tempo's
 * "Request rate" link opens the service's span metrics in Prometheus), its Service Detail
 * dashboard and how to turn the demo off.
 */
export function firstLook(args: FirstLookArgs): string[] {
  const url = args.grafanaUrl;
  const lines = [
    `Grafana        ${url}  (user ${args.adminUser}; password: ${PASSWORD_COMMAND[args.profile]})`,
    `Landing        ${url}/d/${landing([]).uid}  (services found, targets up, alerts firing, log and span rates)`,
  ];
  if (!args.demo) {
    return lines;
  }
  return [
    ...lines,
    `Error logs     ${lokiExploreUrl(url, FIRST_LOOK_ERRORS)}  (open a line, then its TraceID link: the whole trace in Tempo)`,
    `Service        ${url}/d/${serviceDetail.uid}?var-service=${FIRST_LOOK_SERVICE}  (requests, errors, latency, logs)`,
    "Demo off       pulumi config set --path demo.enabled false && npm run up",
  ];
}
