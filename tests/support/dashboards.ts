import { KubeObject } from "../../render/manifest";
import { configMapData } from "../kit/rendered";
import { Json } from "../kit/json";

/** The provisioned dashboards, parsed. */
export const dashboards = (objects: readonly KubeObject[]): Json[] =>
  Object.values(configMapData(objects, "grafana-dashboards")).map((text) => JSON.parse(text) as Json);

const targets = (board: Json): Json[] => board.panels.flatMap((p: Json) => p.targets as Json[]);

/** Every query expression the dashboards send to datasources of one type (`prometheus`, `loki`). */
export const dashboardExprs = (objects: readonly KubeObject[], datasourceType: string): string[] =>
  dashboards(objects)
    .flatMap(targets)
    .filter((t) => t.datasource.type === datasourceType)
    .map((t) => t.expr as string);
