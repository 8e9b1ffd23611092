import { queryParseProblem } from "../../config/promql/queryGrammar";
import { Json, JsonObject, isObject } from "./dashboardJson";
import { ProvisionedDatasource } from "./datasources";

// The PromQL of a team's dashboard, checked as Prometheus will parse it. Grafana fills its interval
// variables before a query leaves it, so those are filled here the same way; a query with any other
// variable (`$service`, `${route:regex}`, `[[job]]`) stands for text only the dashboard's viewer
// picks, so it is left to Prometheus: a check of one value would refuse dashboards that work.

/** Grafana's interval variables, each a duration once Grafana fills it in. */
const INTERVAL_VARIABLES =
  /\$__(?:rate_interval|interval|range|auto)\b|\$\{__(?:rate_interval|interval|range|auto)\}/g;
/** Any other reference to a variable. */
const OTHER_VARIABLE = /\$[A-Za-z_{]|\[\[/;

/** The type of the datasource a reference names, if it is a provisioned one (or says its type). */
function datasourceType(
  ref: Json | undefined,
  datasources: readonly ProvisionedDatasource[],
): string | undefined {
  if (typeof ref === "string") {
    return datasources.find((d) => d.name === ref || d.uid === ref)?.type;
  }
  if (!isObject(ref)) {
    return undefined;
  }
  const byUid = datasources.find((d) => d.uid === ref.uid)?.type;
  return byUid ?? (typeof ref.type === "string" ? ref.type : undefined);
}

/**
 * Every Prometheus target of the dashboard's panels (rows' panels included) whose query Prometheus
 * would refuse, as `panels[2].targets[0].expr does not parse as PromQL at 1:6: …`.
 */
export function dashboardQueryProblems(
  board: JsonObject,
  datasources: readonly ProvisionedDatasource[],
): string[] {
  const problems: string[] = [];
  const visit = (panels: Json | undefined, at: string) => {
    (Array.isArray(panels) ? panels : []).forEach((panel, p) => {
      if (!isObject(panel)) return;
      const where = `${at}[${p}]`;
      (Array.isArray(panel.targets) ? panel.targets : []).forEach((target, t) => {
        if (!isObject(target) || typeof target.expr !== "string") return;
        const type = datasourceType(target.datasource ?? panel.datasource, datasources);
        const expr = target.expr.replace(INTERVAL_VARIABLES, "5m");
        if (type !== "prometheus" || OTHER_VARIABLE.test(expr)) return;
        const problem = queryParseProblem("PromQL", expr);
        if (problem !== undefined) problems.push(`${where}.targets[${t}].expr ${problem}`);
      });
      visit(panel.panels, `${where}.panels`);
    });
  };
  visit(board.panels, "panels");
  return problems;
}
